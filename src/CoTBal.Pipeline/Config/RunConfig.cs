using System.Text.Json;
using System.Text.Json.Serialization;
using CoTBal.Core;

namespace CoTBal.Pipeline.Config;

/// <summary>
/// The one typed options tree of a CoTBal run, validated once and saved to RUN_DIR/run.json.
/// Every field has a default, so <c>{}</c> is a valid config.
/// </summary>
public sealed record RunConfig
{
    /// <summary>Model config: a preset name (tiny, small) or a path to a model config JSON.</summary>
    [JsonPropertyName("model")] public string Model { get; init; } = "tiny";
    /// <summary>Starting weights of every training of the run (train --init); null = random initialisation.</summary>
    [JsonPropertyName("init")] public string? Init { get; init; }
    /// <summary>Fraction of each task's training data in its mini subset (the paper: 1/32).</summary>
    [JsonPropertyName("mini_fraction")] public double MiniFraction { get; init; } = 1.0 / 32;
    /// <summary>The paper's R_large: fraction of each task's training data in its large subset (plus-mini and STL trainings); the paper uses 1 and 1/4.</summary>
    [JsonPropertyName("large_fraction")] public double LargeFraction { get; init; } = 1.0;
    /// <summary>Lower bound on a mini subset's size (the paper's guidance is >= 1,000 at its scale); a floor that raises a mini above mini_fraction is listed in the report.</summary>
    [JsonPropertyName("mini_min_samples")] public int MiniMinSamples { get; init; } = 32;
    /// <summary>real | precise | simplified (precise and simplified train single-task minis too).</summary>
    [JsonPropertyName("form")] public string Form { get; init; } = "real";
    /// <summary>Softmax temperature, a number or "auto".</summary>
    [JsonPropertyName("temperature"), JsonConverter(typeof(NumberOrTextConverter))] public string Temperature { get; init; } = "0.5";
    [JsonPropertyName("alpha")] public double[] Alpha { get; init; } = [0.25, 0.25, 0.5];
    /// <summary>Tasks kept out of balancing with their weight; tasks without a validation set are added at 1.0.</summary>
    [JsonPropertyName("fixed")] public Dictionary<string, double> Fixed { get; init; } = new();
    /// <summary>Final-training methods: cotbal, cotbal-online, ew, tla, rlw, dwa, igb, and the gradient-based pcgrad, cagrad, mgda, nash-mtl, upgrad, famo.</summary>
    [JsonPropertyName("methods")] public string[] Methods { get; init; } = ["cotbal", "ew", "tla", "rlw", "dwa", "igb"];
    /// <summary>Repeats of every final training with seeds seed, seed+1, ...</summary>
    [JsonPropertyName("seeds")] public int Seeds { get; init; } = 1;
    [JsonPropertyName("seed")] public int Seed { get; init; } = 1234;
    [JsonPropertyName("auxiliary")] public TrainingBudget Auxiliary { get; init; } = new();
    [JsonPropertyName("single_task")] public TrainingBudget SingleTask { get; init; } = new();
    [JsonPropertyName("final")] public TrainingBudget Final { get; init; } = new();
    /// <summary>DWA's window in iterations; null = the authors' 25 scaled to the final training's length (<see cref="WeightingWindows"/>).</summary>
    [JsonPropertyName("dwa_window")] public int? DwaWindow { get; init; }
    /// <summary>IGB's window in iterations; null = the authors' 100 scaled to the final training's length.</summary>
    [JsonPropertyName("igb_window")] public int? IgbWindow { get; init; }
    /// <summary>Settings of the cotbal-online method (used only when it is in <see cref="Methods"/>).</summary>
    [JsonPropertyName("online")] public OnlineConfig Online { get; init; } = new();
    [JsonPropertyName("max_new_tokens")] public int MaxNewTokens { get; init; } = 48;
    [JsonPropertyName("eval_batch_size")] public int EvalBatchSize { get; init; } = 64;
    /// <summary>Replicates of the paired bootstrap behind every interval of the report (seeded with <see cref="Seed"/>).</summary>
    [JsonPropertyName("bootstrap_replicates")] public int BootstrapReplicates { get; init; } = 1000;
    /// <summary>libtorch intra-op threads for this process. Small models run best on 1 (measured: docs/benchmarks/model.md);
    /// with a shell plan running PARALLEL jobs, keep PARALLEL x threads at most the core count.</summary>
    [JsonPropertyName("threads")] public int Threads { get; init; } = 1;
    /// <summary>
    /// Trainings/evaluations run at once, each in its own process with <see cref="Threads"/> torch threads;
    /// null = cores / threads (at least 1). Results do not depend on it (the thread count per training does,
    /// so it is never derived from this).
    /// </summary>
    [JsonPropertyName("jobs")] public int? Jobs { get; init; }
    /// <summary>
    /// With jobs running at once, each training runs in this many segments of near-equal steps, each segment a separate
    /// turn of a child process that stops with a checkpoint and goes back in the queue (<see cref="PipelineRunner.Segments"/>).
    /// That lets the runner balance a level's trainings over its children: 7 equal trainings on 2 children end after
    /// 3.5 trainings' time instead of 4. null = the jobs setting (no segments when one job runs at a time); 1 = whole
    /// trainings. Results do not depend on it: a training continued from its checkpoint ends bit-identical.
    /// </summary>
    [JsonPropertyName("segments")] public int? Segments { get; init; }
    /// <summary>
    /// Where every training and evaluation runs: cpu, cuda or cuda:N (<see cref="CoTBal.Model.ComputeDevice"/>; a CUDA
    /// build of libtorch is needed for cuda). Not in any job's fingerprint: a run may continue on another device.
    /// </summary>
    [JsonPropertyName("device")] public string Device { get; init; } = CoTBal.Model.ComputeDevice.Cpu;

    /// <summary>The jobs setting with its default resolved for this machine: cores / threads on the CPU, one job at a time on a GPU.</summary>
    [JsonIgnore]   // derived: not recorded, so a recorded config is a valid --config file
    public int EffectiveJobs => Jobs ?? (Device == CoTBal.Model.ComputeDevice.Cpu ? Math.Max(1, Environment.ProcessorCount / Threads) : 1);

    /// <summary>The segments setting with its default resolved: the effective jobs, at most <see cref="MaxSegments"/> (1 when one job runs at a time).</summary>
    [JsonIgnore]
    public int EffectiveSegments => Segments ?? Math.Min(EffectiveJobs, MaxSegments);

    /// <summary>The largest <see cref="Segments"/> accepted (each segment end costs a checkpoint and a model load).</summary>
    public const int MaxSegments = 64;

    public static readonly string[] KnownMethods = ["cotbal", "ew", "tla", "rlw", "dwa", "igb", "pcgrad", "cagrad", "mgda", "nash-mtl", "upgrad", "famo", "cotbal-online"];

    public static RunConfig Load(string path)
    {
        if (!File.Exists(path)) throw new CoTBalInputException($"{path}: run config not found");
        try
        {
            var config = JsonSerializer.Deserialize<RunConfig>(Core.IO.StrictUtf8.ReadAllText(path), JsonOptions)
                ?? throw new CoTBalInputException($"{path}: run config is null");
            config.Validate();
            return config;
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{path}: invalid run config at line {e.LineNumber + 1}, position {e.BytePositionInLine}: {Core.IO.JsonErrorText.Of(e)}");
        }
    }

    public void Validate()
    {
        if (!(MiniFraction is > 0 and <= 1)) throw new CoTBalInputException($"run config: mini_fraction must be in (0, 1], got {MiniFraction}");
        if (!(LargeFraction is > 0 and <= 1)) throw new CoTBalInputException($"run config: large_fraction must be in (0, 1], got {LargeFraction}");
        if (DwaWindow is < 1) throw new CoTBalInputException($"run config: dwa_window must be >= 1 (or null for the scaled default), got {DwaWindow}");
        if (IgbWindow is < 1) throw new CoTBalInputException($"run config: igb_window must be >= 1 (or null for the scaled default), got {IgbWindow}");
        if (MiniMinSamples < 1) throw new CoTBalInputException("run config: mini_min_samples must be >= 1");
        if (Form is not ("real" or "precise" or "simplified")) throw new CoTBalInputException($"run config: form must be real, precise or simplified, got '{Form}'");
        if (Temperature != "auto" && !(double.TryParse(Temperature, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t) && t > 0))
            throw new CoTBalInputException($"run config: temperature must be a number > 0 or \"auto\", got '{Temperature}'");
        if (Alpha.Length != 3) throw new CoTBalInputException("run config: alpha needs three numbers a_out, a_in, a_D");
        if (Alpha.Any(a => !double.IsFinite(a) || a < 0) || Math.Abs(Alpha.Sum() - 1) > 1e-6)
            throw new CoTBalInputException($"run config: alpha must be three numbers >= 0 that sum to 1, got [{string.Join(", ", Alpha.Select(a => a.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]");
        if (Methods.Length == 0) throw new CoTBalInputException("run config: methods is empty");
        if (Methods.GroupBy(m => m, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            throw new CoTBalInputException($"run config: method '{repeated.Key}' is listed twice");
        foreach (var m in Methods)
            if (string.IsNullOrEmpty(m)) throw new CoTBalInputException("run config: methods: an entry is null or empty");
            else if (!KnownMethods.Contains(m)) throw new CoTBalInputException($"run config: unknown method '{m}' (known: {string.Join(", ", KnownMethods)})");
        if (Seeds < 1) throw new CoTBalInputException("run config: seeds must be >= 1");
        if (Seed < 0) throw new CoTBalInputException($"run config: seed must be >= 0 (as every seed of this tool), got {Seed}");
        foreach (var (task, weight) in Fixed)
            if (!double.IsFinite(weight) || weight < 0 || !float.IsFinite((float)weight))
                throw new CoTBalInputException($"run config: fixed weight of task '{task}' must be a finite float32 number >= 0, got {weight.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        if (MaxNewTokens < 1) throw new CoTBalInputException("run config: max_new_tokens must be >= 1");
        if (Threads < 1 || Threads > 4 * Environment.ProcessorCount)
            throw new CoTBalInputException($"run config: threads must be between 1 and {4 * Environment.ProcessorCount} (4x the cores), got {Threads}");
        if (Jobs is < 1) throw new CoTBalInputException($"run config: jobs must be >= 1, got {Jobs}");
        if (Segments is < 1 or > MaxSegments) throw new CoTBalInputException($"run config: segments must be between 1 and {MaxSegments}, got {Segments}");
        CoTBal.Model.ComputeDevice.CheckSyntax("run config: device", Device);
        if (BootstrapReplicates < 100) throw new CoTBalInputException($"run config: bootstrap_replicates must be >= 100 (a 95% interval needs the tails), got {BootstrapReplicates}");
        if (EvalBatchSize < 1) throw new CoTBalInputException("run config: eval_batch_size must be >= 1");
        Auxiliary.Validate("auxiliary");
        SingleTask.Validate("single_task");
        Final.Validate("final");
        Online.Validate();
    }

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,   // "alpha": null is refused naming the field; "init": null (a nullable field) stays valid
    };
}
