namespace CoTBal.Cli.Tests.Contract;

/// <summary>
/// The CLI contract table (docs/cli.md, "Refusal rules"): every row is a command line that must be refused with
/// exit 2 and exactly one <c>error:</c> line containing <see cref="ContractCase.Expected"/>, no stack trace or .NET
/// type name, every input unchanged byte for byte and nothing left behind.
/// <para>
/// HOW TO EXTEND: a new option or command adds one row per refusal to <see cref="Rows"/>:
/// <c>Row("train --my-option bad", "--my-option", Train, "--my-option", "bad")</c> — a unique name, a fragment the
/// message must contain, then the arguments (base arrays such as <see cref="Train"/> are valid command lines, so the
/// row fails only because of what it adds). Placeholders: <c>{in}</c> the shared read-only inputs (see
/// <see cref="ContractWorkspace"/>), <c>{bench}</c> a tiny built-in benchmark, <c>{tmp}</c> a fresh empty folder
/// for outputs. A command that writes a file adds its option to <see cref="FileOutputs"/> and one that writes a
/// folder to <see cref="FolderOutputs"/>: the hostile-path rows are generated for it. A new command also adds its
/// base line to <see cref="Interruptible"/>.
/// </para>
/// </summary>
public static class ContractCases
{
    public sealed record ContractCase(string Name, string Expected, string[] Args);

    // Valid command lines (only their refusal rows below make them fail).
    public static readonly string[] Compare = ["compare", "--results", "{in}/results.csv"];
    public static readonly string[] Weights = ["weights", "--aggregates", "{in}/aggregates.csv", "--fixed", "ShareGPT=1"];
    public static readonly string[] Evaluate = ["evaluate", "--answers", "{in}/answers.jsonl", "--metric", "em"];
    public static readonly string[] Inspect = ["data", "inspect", "{in}/data.json", "--no-decode-check"];
    public static readonly string[] Subsets = ["data", "subsets", "{in}/data.json"];
    public static readonly string[] Generate = ["data", "generate"];
    public static readonly string[] Predict = ["predict", "--checkpoint", "{in}/ckpt", "--data", "{in}/data.json"];
    public static readonly string[] Train = ["train", "--data", "{in}/data.json", "--model", "{in}/model.json", "--tokenizer", "{bench}/vocab.json", "--steps", "2", "--progress", "none"];
    public static readonly string[] Run = ["run", "--data", "{bench}"];
    public static readonly string[] Demo = ["demo", "--size", "tiny"];
    public static readonly string[] Export = ["export", "--checkpoint", "{in}/ckpt"];
    public static readonly string[] Pretrain = ["pretrain", "--model", "tiny"];

    /// <summary>Commands writing one file: (name, base line without the option, option, the input the base line reads, a link to that input).</summary>
    public static readonly (string Name, string[] Base, string Option, string Input, string LinkToInput)[] FileOutputs =
    [
        ("compare", Compare, "--json", "{in}/results.csv", "{in}/link-to-results.csv"),
        ("weights", Weights, "--json", "{in}/aggregates.csv", "{in}/link-to-aggregates.csv"),
        ("evaluate", Evaluate, "--json", "{in}/answers.jsonl", "{in}/link-to-answers.jsonl"),
        ("inspect", Inspect, "--json", "{in}/data.json", "{in}/link-to-data.json"),
        ("predict", Predict, "--out", "{in}/data.json", "{in}/link-to-data.json"),
    ];

    /// <summary>Commands writing into a folder: (name, base line without --out).</summary>
    public static readonly (string Name, string[] Base)[] FolderOutputs =
    [
        ("subsets", Subsets), ("generate", Generate), ("train", Train), ("run", Run), ("demo", Demo), ("export", Export), ("pretrain", Pretrain),
    ];

    /// <summary>One valid command line per command, interrupted before it starts (exit 130, one line, nothing left).</summary>
    public static readonly (string Name, string[] Args)[] Interruptible =
    [
        ("compare", Compare), ("weights", Weights), ("evaluate", Evaluate), ("inspect", Inspect),
        ("subsets", [.. Subsets, "--out", "{tmp}/s"]), ("generate", [.. Generate, "--size", "tiny", "--out", "{tmp}/g"]),
        ("predict", [.. Predict, "--out", "{tmp}/a.jsonl"]), ("train", [.. Train, "--out", "{tmp}/t"]),
        ("run", [.. Run, "--out", "{tmp}/r"]), ("demo", [.. Demo, "--out", "{tmp}/d"]),
        ("export", [.. Export, "--out", "{tmp}/e"]), ("pretrain", [.. Pretrain, "--out", "{tmp}/p"]),
    ];

    public static IEnumerable<ContractCase> Rows()
    {
        foreach (var c in HostilePathRows()) yield return c;
        foreach (var c in OptionRows()) yield return c;
    }

    private static ContractCase Row(string name, string expected, string[] baseLine, params string[] extra) => new(name, expected, [.. baseLine, .. extra]);

    private static IEnumerable<ContractCase> HostilePathRows()
    {
        foreach (var (name, baseLine, option, input, link) in FileOutputs)
        {
            string[] Out(string path) => [.. baseLine, option, path];
            yield return new($"{name} {option} = its input", "input", Out(input));
            yield return new($"{name} {option} = a link to its input", "input", Out(link));
            yield return new($"{name} {option} = a folder", "is a folder", Out("{in}"));
            yield return new($"{name} {option} under a file", "is a file, not a folder", Out("{in}/existing.txt/out.json"));
            yield return new($"{name} {option} empty", "the path is empty", Out(""));
            yield return new($"{name} {option} = a symlink loop", "symbolic links", Out("{in}/loop-a"));
            yield return new($"{name} {option} = a FIFO", "not a regular file", Out("{in}/fifo"));
            yield return new($"{name} {option} = a device", "not a regular file", Out("/dev/null"));
            yield return new($"{name} {option} in a read-only folder", "cannot write", Out("/proc/cotbal-contract.out"));
        }
        foreach (var (name, baseLine) in FolderOutputs)
        {
            string[] Out(string path) => [.. baseLine, "--out", path];
            yield return new($"{name} --out = a file", "is a file; give a folder", Out("{in}/existing.txt"));
            yield return new($"{name} --out under a file", "is a file, not a folder", Out("{in}/existing.txt/sub"));
            yield return new($"{name} --out empty", "the path is empty", Out(""));
            yield return new($"{name} --out through a symlink loop", "symbolic links", Out("{in}/loop-a/sub"));
            yield return new($"{name} --out = a FIFO", "not a folder", Out("{in}/fifo"));
            yield return new($"{name} --out in a read-only folder", "cannot write", Out("/proc/cotbal-contract-out"));
        }
    }

    private static IEnumerable<ContractCase> OptionRows()
    {
        string[] export = [.. Export, "--out", "{tmp}/e"];
        yield return Row("export missing checkpoint", "folder not found", ["export", "--checkpoint", "{in}/missing", "--out", "{tmp}/e"]);
        yield return Row("export checkpoint = a file", "is a file; give a folder", ["export", "--checkpoint", "{in}/data.json", "--out", "{tmp}/e"]);
        yield return Row("export checkpoint not a training checkpoint", "not a checkpoint folder", ["export", "--checkpoint", "{bench}", "--out", "{tmp}/e"]);
        yield return Row("export --out holds the checkpoint", "holds the input", ["export", "--checkpoint", "{in}/ckpt", "--out", "{in}"]);
        yield return Row("export --format onnx", "onnx", export, "--format", "onnx");
        yield return Row("export --max-shard-mb 0", "--max-shard-mb must be > 0", export, "--max-shard-mb", "0");
        yield return Row("export --image-token-index with llava", "--image-token-index applies to --format hf only", export, "--image-token-index", "5");
        yield return Row("export without --out", "--out", Export);
        string[] pretrain = [.. Pretrain, "--out", "{tmp}/p"];
        yield return Row("pretrain --steps 0", "--steps must be > 0", pretrain, "--steps", "0");
        yield return Row("pretrain --vision-steps 0", "--vision-steps must be > 0", pretrain, "--vision-steps", "0");
        yield return Row("pretrain --vision-lr NaN", "--vision-lr must be > 0", pretrain, "--vision-lr", "NaN");
        yield return Row("pretrain --vision-lr -1", "--vision-lr must be > 0", pretrain, "--vision-lr", "-1");
        yield return Row("pretrain --image-size other than the model's", "--image-size 48: the model's vision_config.image_size is 32", pretrain, "--image-size", "48");
        yield return Row("pretrain --batch-size 0", "--batch-size must be > 0", pretrain, "--batch-size", "0");
        yield return Row("pretrain --lr NaN", "--lr must be > 0", pretrain, "--lr", "NaN");
        yield return Row("pretrain --samples 1", "--samples must be at least", pretrain, "--samples", "1");
        yield return Row("pretrain --image-size 8", "--image-size must be between 16 and 256", pretrain, "--image-size", "8");
        yield return Row("pretrain --checkpoint-every 0", "--checkpoint-every must be > 0", pretrain, "--checkpoint-every", "0");
        yield return Row("pretrain --threads 0", "--threads", pretrain, "--threads", "0");
        yield return Row("pretrain --seed -1", "--seed -1: must be >= 0", pretrain, "--seed", "-1");
        yield return Row("pretrain --model missing file", "--model", pretrain, "--model", "{in}/missing-model.json");
        yield return Row("pretrain --out not empty and no pretraining", "holds no pretraining", [.. Pretrain, "--out", "{bench}"]);
        yield return Row("pretrain without --out", "--out", Pretrain);
        string[] trainInit = [.. Train, "--out", "{tmp}/t"];
        yield return Row("train --init missing", "--init", trainInit, "--init", "{in}/missing-model");
        yield return Row("train --lora-r 0", "--lora-r must be > 0", trainInit, "--lora-r", "0");
        yield return Row("train --lora-alpha without --lora-r", "--lora-alpha needs --lora-r", trainInit, "--lora-alpha", "8");
        yield return Row("train --mm-projector-lr -1", "--mm-projector-lr must be > 0", trainInit, "--mm-projector-lr", "-1");
        yield return Row("train --tune-mm-mlp-adapter with --lora-r", "cannot be combined with --lora-r", trainInit, "--tune-mm-mlp-adapter", "--lora-r", "2");
        yield return Row("train --init-allow-missing without init", "need --init or a component flag", trainInit, "--init-allow-missing", "model.mm_projector.*");
        yield return Row("train --init-allow-missing empty", "--init-allow-missing: an empty pattern", trainInit, "--init-allow-missing", "");
        yield return Row("train --init-allow-unexpected empty in a list", "--init-allow-unexpected: an empty pattern", trainInit, "--init-allow-unexpected", "a.*,");
        yield return Row("train --freeze-vision-tower maybe", "maybe", trainInit, "--freeze-vision-tower", "maybe");
        yield return Row("train --image-aspect-ratio anyres", "--image-aspect-ratio must be pad or square", trainInit, "--image-aspect-ratio", "anyres");
        yield return Row("train --image-processor missing", "--image-processor", trainInit, "--image-processor", "{in}/missing-preprocessor.json");
        yield return Row("train --pack maybe", "maybe", trainInit, "--pack", "maybe");
        yield return Row("train --vision-tower a file", "--vision-tower", trainInit, "--vision-tower", "{in}/data.json");
        string[] compare = [.. Compare, "--json", "{tmp}/c.json"];
        yield return Row("compare missing results", "file not found", ["compare", "--results", "{in}/missing.csv"]);
        yield return Row("compare results = a folder", "is a folder", ["compare", "--results", "{in}"]);
        yield return Row("compare results not UTF-8", "not valid UTF-8", ["compare", "--results", "{in}/bad-utf8.csv"]);
        yield return Row("compare unknown baseline", "baseline method 'NOPE' not found", compare, "--baseline", "NOPE");
        yield return Row("compare unknown lower-is-better task", "unknown task 'nosuch'", compare, "--lower-is-better", "nosuch");
        yield return Row("compare negative baseline score", "baseline 'STL' scores -0.5 on task 'a', so the relative change (M - B)/B would have the wrong sign",
            ["compare", "--results", "{in}/negative-baseline.csv", "--json", "{tmp}/c.json"]);
        yield return Row("compare negative baseline score, lower is better", "baseline 'STL' scores -0.5 on task 'a'",
            ["compare", "--results", "{in}/negative-baseline.csv", "--lower-is-better", "a", "--json", "{tmp}/c.json"]);
        yield return Row("compare only the baseline", "baseline-only.csv: no method other than the baseline 'STL'",
            ["compare", "--results", "{in}/baseline-only.csv", "--json", "{tmp}/c.json"]);
        yield return Row("compare infinite result", "too extreme", ["compare", "--results", "{in}/extreme.csv", "--json", "{tmp}/c.json"]);
        yield return Row("compare unknown option", "--bogus", compare, "--bogus");
        yield return Row("compare results missing", "--results", ["compare"]);

        string[] weights = [.. Weights, "--json", "{tmp}/w.json"];
        yield return Row("weights neither input", "give exactly one of", ["weights", "--json", "{tmp}/w.json"]);
        yield return Row("weights both inputs", "give exactly one of", weights, "--results", "{in}/results.csv");
        yield return Row("weights results = aggregates", "same file", weights, "--results", "{in}/link-to-aggregates.csv");
        yield return Row("weights temperature zero", "temperature", weights, "-T", "0");
        yield return Row("weights temperature text", "not a finite number", weights, "-T", "abc");
        yield return Row("weights temperature denormal", "too extreme", weights, "-T", "5e-324");
        yield return Row("weights auto with a non-finite grid row", "temperature 0.05 of the grid gives weights that are not finite numbers: c_out 1E+308 of task 'a'",
            ["weights", "--aggregates", "{in}/aggregates-huge.csv", "-T", "auto", "--format", "json", "--json", "{tmp}/w.json"]);
        yield return Row("weights two alphas", "three numbers", weights, "--alpha", "0.5,0.5");
        yield return Row("weights alphas not summing to 1", "a_out", weights, "--alpha", "0.5,0.5,0.5");
        yield return Row("weights weight-range without auto", "--weight-range only applies with --temperature auto", weights, "--weight-range", "1,2");
        yield return Row("weights grid without auto", "only used with --temperature auto", weights, "--temperature-grid", "1,2");
        yield return Row("weights form with aggregates", "--form only applies with --results", weights, "--form", "precise");
        yield return Row("weights lower-is-better with aggregates", "aggregates are already measures", weights, "--lower-is-better", "VQAv2");
        yield return Row("weights unknown format", "xml", weights, "--format", "xml");
        yield return Row("weights task twice", "--tasks lists a task twice", weights, "--tasks", "ShareGPT,ShareGPT");
        yield return Row("weights fixed without value", "NAME=VALUE", ["weights", "--aggregates", "{in}/aggregates.csv", "--fixed", "ShareGPT"]);
        yield return Row("weights fixed twice", "given twice", weights, "--fixed", "ShareGPT=2");
        yield return Row("weights aggregates not UTF-8", "not valid UTF-8", ["weights", "--aggregates", "{in}/bad-utf8.csv"]);
        yield return Row("weights missing aggregates", "file not found", ["weights", "--aggregates", "{in}/missing.csv"]);

        string[] evaluate = [.. Evaluate, "--json", "{tmp}/e.json"];
        string[] grounding = ["evaluate", "--answers", "{in}/answers.jsonl", "--metric", "grounding", "--json", "{tmp}/e.json"];
        yield return Row("evaluate unknown metric", "meteor", ["evaluate", "--answers", "{in}/answers.jsonl", "--metric", "meteor"]);
        yield return Row("evaluate threshold above 1", "must be in [0, 1]", grounding, "--threshold", "1.5");
        yield return Row("evaluate threshold not a number", "as a number", grounding, "--threshold", "abc");
        yield return Row("evaluate threshold with em", "--threshold only applies with --metric grounding", evaluate, "--threshold", "0.3");
        yield return Row("evaluate inclusive with em", "--inclusive only applies with --metric grounding", evaluate, "--inclusive");
        yield return Row("evaluate malformed-as-miss with em", "--malformed-as-miss only applies with --metric grounding", evaluate, "--malformed-as-miss");
        yield return Row("evaluate tokenize with em", "--tokenize only applies with the caption metrics", evaluate, "--tokenize", "none");
        yield return Row("evaluate grounding reference without box", "has no box", ["evaluate", "--answers", "{in}/grounding-nobox.jsonl", "--metric", "grounding", "--json", "{tmp}/e.json"]);
        yield return Row("evaluate answers not UTF-8", "not valid UTF-8", ["evaluate", "--answers", "{in}/bad-utf8.jsonl", "--metric", "em", "--json", "{tmp}/e.json"]);
        yield return Row("evaluate answer too long for rouge-l", "more than the 5000", ["evaluate", "--answers", "{in}/long.jsonl", "--metric", "rouge-l", "--json", "{tmp}/e.json"]);
        yield return Row("evaluate missing answers", "file not found", ["evaluate", "--answers", "{in}/missing.jsonl", "--metric", "em"]);
        yield return Row("evaluate answers = a folder", "is a folder", ["evaluate", "--answers", "{in}", "--metric", "em"]);
        yield return Row("evaluate wrong format", "answers", evaluate, "--format", "visatb");
        string[] perTask = ["evaluate", "--answers", "{in}/answers.jsonl", "--json", "{tmp}/e.json"];
        yield return Row("evaluate metric and task-metrics", "give exactly one of --metric", evaluate, "--task-metrics", "t=em");
        yield return Row("evaluate neither metric option", "give exactly one of --metric", ["evaluate", "--answers", "{in}/answers.jsonl"]);
        yield return Row("evaluate task-metrics without =", "must look like TASK=METRIC", perTask, "--task-metrics", "t");
        yield return Row("evaluate task-metrics unknown metric", "unknown metric 'meteor'", perTask, "--task-metrics", "t=meteor");
        yield return Row("evaluate task-metrics task twice", "task 't' given twice", perTask, "--task-metrics", "t=em,t=vqa");
        yield return Row("evaluate task without a metric", "task 't' has no metric", perTask, "--task-metrics", "other=em");
        yield return Row("evaluate task-metrics missing manifest", "file not found", perTask, "--task-metrics", "{in}/missing-manifest.json");
        yield return Row("evaluate task-metrics manifest with an unknown metric", "manifest-bad-metric.json: task 't': unknown metric 'bogus'", perTask, "--task-metrics", "{in}/manifest-bad-metric.json");
        yield return Row("evaluate task-metrics manifest without a metric", "manifest-no-metric.json: task 't' has no metric", perTask, "--task-metrics", "{in}/manifest-no-metric.json");
        yield return Row("evaluate threshold with per-task em", "--threshold only applies", perTask, "--task-metrics", "t=em", "--threshold", "0.3");
        yield return Row("evaluate unknown tokenizer", "spacy", ["evaluate", "--answers", "{in}/answers.jsonl", "--metric", "coco", "--tokenize", "spacy"]);

        string[] inspect = [.. Inspect, "--json", "{tmp}/i.json"];
        yield return Row("inspect missing file", "file not found", ["data", "inspect", "{in}/missing.json", "--json", "{tmp}/i.json"]);
        yield return Row("inspect not UTF-8", "not valid UTF-8", ["data", "inspect", "{in}/bad-utf8.json", "--json", "{tmp}/i.json"]);
        yield return Row("inspect duplicate ids", "duplicate sample id 's1'", ["data", "inspect", "{in}/dup-ids.json", "--json", "{tmp}/i.json"]);
        yield return Row("inspect empty list", "holds no samples", ["data", "inspect", "{in}/empty.json", "--json", "{tmp}/i.json"]);
        yield return Row("inspect images = a file", "is a file; give a folder", inspect, "--images", "{in}/existing.txt");
        yield return Row("inspect missing task map", "file not found", inspect, "--task-map", "{in}/missing.json");
        yield return Row("inspect task map with an id twice", "map-dup-id.json: line 1: malformed JSON (Duplicate property 's1'", inspect, "--task-map", "{in}/map-dup-id.json");
        yield return Row("inspect task map with an empty task name", "map-empty-task.json: \"default\" must be a non-empty task name", inspect, "--task-map", "{in}/map-empty-task.json");
        yield return Row("inspect task map with default twice", "map-dup-default.json: line 1: malformed JSON (Duplicate property 'default'", inspect, "--task-map", "{in}/map-dup-default.json");
        yield return Row("inspect template without tokenizer", "--template only applies with a tokenizer", inspect, "--template", "plain");
        yield return Row("inspect two files", "data.json", ["data", "inspect", "{in}/data.json", "{in}/data.json"]);
        yield return Row("inspect missing tokenizer file", "file not found", inspect, "--tokenizer", "{in}/missing-vocab.json");

        string[] subsets = [.. Subsets, "--out", "{tmp}/s"];
        yield return Row("subsets same file twice", "given twice", subsets, "{in}/data.json");
        yield return Row("subsets same file through a link", "given twice", subsets, "{in}/link-to-data.json");
        yield return Row("subsets task twice", "'chat' is listed twice", subsets, "--tasks", "chat,chat");
        yield return Row("subsets fraction above 1", "--mini-fraction", subsets, "--mini-fraction", "3/2");
        yield return Row("subsets fraction text", "--mini-fraction", subsets, "--mini-fraction", "abc");
        yield return Row("subsets task map with an id twice", "map-dup-id.json: line 1: malformed JSON (Duplicate property 's1'", subsets, "--task-map", "{in}/map-dup-id.json");
        yield return Row("subsets task map with an empty task name", "map-empty-task.json: \"default\" must be a non-empty task name", subsets, "--task-map", "{in}/map-empty-task.json");
        yield return Row("subsets unknown no-plus-mini task", "--no-plus-mini: unknown task 'zzz' (tasks: chat, counting)", subsets, "--no-plus-mini", "zzz");
        yield return Row("subsets min-mini-size 0", "--min-mini-size 0: must be >= 1", subsets, "--min-mini-size", "0");
        yield return Row("subsets split with a slash", "--split", subsets, "--split", "a/b");
        yield return Row("subsets out = the input folder", "holds the input", [.. Subsets, "--out", "{in}"]);
        yield return Row("subsets negative seed", "as a whole number >= 0", subsets, "--seed", "-1");
        yield return Row("subsets not UTF-8", "not valid UTF-8", ["data", "subsets", "{in}/bad-utf8.json", "--out", "{tmp}/s"]);
        yield return Row("subsets missing file", "file not found", ["data", "subsets", "{in}/missing.json", "--out", "{tmp}/s"]);
        yield return Row("subsets no file", "Required argument missing", ["data", "subsets", "--out", "{tmp}/s"]);

        string[] generate = [.. Generate, "--out", "{tmp}/g"];
        yield return Row("generate unknown size", "--size 'huge': expected one of tiny, small, default", generate, "--size", "huge");
        yield return Row("generate train size too large", "at most 100000", generate, "--train-size", "2000000000");
        yield return Row("generate train size 0", "--train-size 0: must be positive", generate, "--train-size", "0");
        yield return Row("generate val size 0", "--val-size 0: must be positive", generate, "--val-size", "0");
        yield return Row("generate test size negative", "--test-size -5: must be positive", generate, "--test-size", "-5");
        yield return Row("generate image size too small", "between 16 and 256", generate, "--image-size", "8");
        yield return Row("generate image size text", "as a whole number", generate, "--image-size", "x");
        yield return Row("generate seed text", "as a whole number >= 0", generate, "--seed", "abc");
        yield return Row("generate out not empty", "not empty", [.. Generate, "--out", "{in}"]);

        string[] train = [.. Train, "--out", "{tmp}/t"];
        static string[] TrainSteps(string steps) =>
            ["train", "--data", "{in}/data.json", "--model", "{in}/model.json", "--tokenizer", "{bench}/vocab.json", "--steps", steps, "--out", "{tmp}/t"];
        yield return Row("train steps 0", "--steps must be > 0", TrainSteps("0"));
        yield return Row("train steps and epochs", "exactly one of --steps and --epochs", train, "--epochs", "1");
        yield return Row("train threads huge", "--threads 100000: must be between 1 and", train, "--threads", "100000");
        yield return Row("train threads 0", "--threads 0: must be between 1 and", train, "--threads", "0");
        yield return Row("train unknown template", "--template: unknown conversation template 'bogus' (known: vicuna_v1, v1, plain)", train, "--template", "bogus");
        yield return Row("train device gpu", "--device: 'gpu' is not a device; use cpu, cuda or cuda:N", train, "--device", "gpu");
        yield return Row("train device cuda:x", "--device: 'cuda:x' is not a device", train, "--device", "cuda:x");
        yield return Row("train device cuda on a CPU build", "--device cuda: this build has no CUDA device to use", train, "--device", "cuda");
        yield return Row("train device cuda:1 on a CPU build", "--device cuda:1: this build has no CUDA device to use", train, "--device", "cuda:1");
        yield return Row("train fixed-tasks with ew", "--fixed-tasks only applies with --weighting static", train, "--fixed-tasks", "chat");
        yield return Row("train fixed-tasks with dwa", "--fixed-tasks only applies with --weighting static", train, "--weighting", "dwa", "--fixed-tasks", "chat");
        yield return Row("train task weights with ew", "--task-weights is only used with --weighting static", train, "--task-weights", "{in}/weights-zero.json");
        yield return Row("train static without weights", "needs --task-weights", train, "--weighting", "static");
        yield return Row("train all-zero task weights", "every task weight is 0", train, "--weighting", "static", "--task-weights", "{in}/weights-zero.json");
        yield return Row("train same data twice", "given twice", train, "--data", "{in}/link-to-data.json");
        yield return Row("train data not UTF-8", "not valid UTF-8", ["train", "--data", "{in}/bad-utf8.json", "--model", "{in}/model.json", "--tokenizer", "{bench}/vocab.json", "--steps", "2", "--out", "{tmp}/t"]);
        yield return Row("train missing model", "file not found", ["train", "--data", "{in}/data.json", "--model", "{in}/missing.json", "--steps", "2", "--out", "{tmp}/t"]);
        yield return Row("train missing task weights", "file not found", train, "--weighting", "static", "--task-weights", "{in}/missing.json");
        yield return Row("train lr negative", "--lr must be > 0", train, "--lr", "-1");
        yield return Row("train lr text", "as a number", train, "--lr", "abc");
        yield return Row("train batch size 0", "--batch-size must be > 0", train, "--batch-size", "0");
        yield return Row("train warmup above 1", "--warmup-ratio must be in [0, 1]", train, "--warmup-ratio", "2");
        yield return Row("train unknown progress", "fancy", TrainSteps("2"), "--progress", "fancy");
        yield return Row("train task twice", "--tasks lists a task twice", train, "--tasks", "chat,chat");
        yield return Row("train max length 1", "--max-length must be >= 2", train, "--max-length", "1");
        yield return Row("train unknown weighting", "nope", train, "--weighting", "nope");
        yield return Row("train images = a file", "is a file; give a folder", train, "--images", "{in}/existing.txt");
        yield return Row("train model config not UTF-8", "not valid UTF-8", ["train", "--data", "{in}/data.json", "--model", "{in}/bad-utf8-config.json", "--tokenizer", "{bench}/vocab.json", "--steps", "2", "--out", "{tmp}/t"]);
        yield return Row("train negative seed", "--seed -1: must be >= 0", train, "--seed", "-1");
        yield return Row("train steps text", "as a whole number", TrainSteps("x"));
        string[] online = [.. train, "--weighting", "cotbal-online", "--online-val", "{in}/dup-ids.json"];
        yield return Row("train online-val with ew", "--online-val only applies with --weighting cotbal-online", train, "--online-val", "{in}/dup-ids.json");
        yield return Row("train online-every with dwa", "--online-every only applies with --weighting cotbal-online", train, "--weighting", "dwa", "--online-every", "5");
        yield return Row("train online-mode with ew", "--online-mode only applies with --weighting cotbal-online", train, "--online-mode", "adaptive");
        yield return Row("train online-warmup with ew", "--online-warmup only applies with --weighting cotbal-online", train, "--online-warmup", "0.2");
        yield return Row("train online-val-samples with ew", "--online-val-samples only applies with --weighting cotbal-online", train, "--online-val-samples", "4");
        yield return Row("train online-temperature with ew", "--online-temperature only applies with --weighting cotbal-online", train, "--online-temperature", "1");
        yield return Row("train online-smoothing with ew", "--online-smoothing only applies with --weighting cotbal-online", train, "--online-smoothing", "0.5");
        yield return Row("train cotbal-online without online-val", "--weighting cotbal-online needs --online-val FILE", train, "--weighting", "cotbal-online");
        yield return Row("train online-val missing", "file not found", train, "--weighting", "cotbal-online", "--online-val", "{in}/missing.json");
        yield return Row("train online-val = the data file", "is the same file as --data", train, "--weighting", "cotbal-online", "--online-val", "{in}/data.json");
        yield return Row("train online-val with one task", "validation samples of at least 2 tasks", train, "--weighting", "cotbal-online", "--online-val", "{in}/dup-ids.json");
        yield return Row("train online-every 0", "--online-every must be >= 1", online, "--online-every", "0");
        yield return Row("train online-every text", "as a whole number", online, "--online-every", "often");
        yield return Row("train online-mode unknown", "sometimes", online, "--online-mode", "sometimes");
        yield return Row("train online-form unknown", "exact", online, "--online-form", "exact");
        yield return Row("train online-form with ew", "--online-form only applies with --weighting cotbal-online", train, "--online-form", "alignment");
        yield return Row("train online-warmup 1", "--online-warmup must be in [0, 1)", online, "--online-warmup", "1");
        yield return Row("train online-warmup 0 in estimate mode", "--online-warmup must be > 0 with --online-mode estimate", online, "--online-warmup", "0");
        yield return Row("train online-val-samples 0", "--online-val-samples must be >= 1", online, "--online-val-samples", "0");
        yield return Row("train online-temperature 0", "--online-temperature must be > 0", online, "--online-temperature", "0");
        yield return Row("train online-smoothing 1", "--online-smoothing must be in [0, 1)", online, "--online-smoothing", "1");

        string[] predict = [.. Predict, "--out", "{tmp}/a.jsonl"];
        yield return Row("predict missing checkpoint", "folder not found", ["predict", "--checkpoint", "{in}/missing", "--data", "{in}/data.json", "--out", "{tmp}/a.jsonl"]);
        yield return Row("predict checkpoint = a file", "is a file; give a folder", ["predict", "--checkpoint", "{in}/existing.txt", "--data", "{in}/data.json", "--out", "{tmp}/a.jsonl"]);
        yield return Row("predict duplicate ids", "duplicate sample id 's1'", ["predict", "--checkpoint", "{in}/ckpt", "--data", "{in}/dup-ids.json", "--out", "{tmp}/a.jsonl"]);
        yield return Row("predict empty data", "holds no samples", ["predict", "--checkpoint", "{in}/ckpt", "--data", "{in}/empty.json", "--out", "{tmp}/a.jsonl"]);
        yield return Row("predict max-new-tokens 0", "--max-new-tokens 0: must be between 1 and 4096", predict, "--max-new-tokens", "0");
        yield return Row("predict max-new-tokens huge", "must be between 1 and 4096", predict, "--max-new-tokens", "100000");
        yield return Row("predict batch size 0", "--batch-size 0: must be between 1 and", predict, "--batch-size", "0");
        yield return Row("predict unknown format", "xml", predict, "--format", "xml");
        yield return Row("predict data not UTF-8", "not valid UTF-8", ["predict", "--checkpoint", "{in}/ckpt", "--data", "{in}/bad-utf8.json", "--out", "{tmp}/a.jsonl"]);
        yield return Row("predict same data twice", "given twice", predict, "--data", "{in}/link-to-data.json");
        yield return Row("predict out inside the checkpoint", "inside the input folder", [.. Predict, "--out", "{in}/ckpt/checkpoint.json"]);
        yield return Row("predict device tpu", "--device: 'tpu' is not a device; use cpu, cuda or cuda:N", [.. predict, "--device", "tpu"]);
        yield return Row("predict device cuda on a CPU build", "--device cuda: this build has no CUDA device to use", [.. predict, "--device", "cuda"]);
        yield return Row("predict missing data", "file not found", ["predict", "--checkpoint", "{in}/ckpt", "--data", "{in}/missing.json", "--out", "{tmp}/a.jsonl"]);

        string[] run = [.. Run, "--out", "{tmp}/r"];
        yield return Row("run seeds 0", "--seeds 0: must be between 1 and 100", run, "--seeds", "0");
        yield return Row("run plan with job", "--plan and --job do not go together", run, "--plan", "shell", "--job", "subsets");
        yield return Row("run unknown plan", "cluster", run, "--plan", "cluster");
        yield return Row("run alpha not summing to 1", "alpha must be three numbers >= 0 that sum to 1", run, "--config", "{in}/run-alpha.json");
        yield return Row("run method twice", "method 'ew' is listed twice", run, "--config", "{in}/run-dup-methods.json");
        yield return Row("run segments 0", "run config: segments must be between 1 and 64, got 0", run, "--config", "{in}/run-segments.json");
        yield return Row("run missing config", "file not found", run, "--config", "{in}/missing.json");
        yield return Row("run data = a file", "is a file; give a folder", ["run", "--data", "{in}/existing.txt", "--out", "{tmp}/r"]);
        yield return Row("run missing data", "folder not found", ["run", "--data", "{in}/missing", "--out", "{tmp}/r"]);
        yield return Row("run --jobs 0", "--jobs must be >= 1", ["run", "--data", "{bench}", "--out", "{tmp}/r", "--jobs", "0"]);
        yield return Row("run --jobs with --plan", "does not apply to --job or --plan", ["run", "--data", "{bench}", "--out", "{tmp}/r", "--jobs", "2", "--plan", "shell"]);
        yield return Row("run --status with --data", "--status reads the recorded run and takes only --out", ["run", "--out", "{tmp}/r", "--status", "--data", "{bench}"]);
        yield return Row("run --status on no run", "--status", ["run", "--out", "{tmp}/r", "--status"]);
        yield return Row("demo --jobs 0", "--jobs must be >= 1", [.. Demo, "--out", "{tmp}/d", "--jobs", "0"]);
        yield return Row("train --no-tensorboard maybe", "maybe", [.. Train, "--out", "{tmp}/t", "--no-tensorboard", "maybe"]);
        yield return Row("train --no-feature-cache maybe", "maybe", [.. Train, "--out", "{tmp}/t", "--no-feature-cache", "maybe"]);
        yield return Row("train --feature-cache-dir with --no-feature-cache", "--feature-cache-dir cannot be combined with --no-feature-cache",
            [.. Train, "--out", "{tmp}/t", "--feature-cache-dir", "{tmp}/c", "--no-feature-cache"]);
        yield return Row("train --feature-cache-dir = a file", "is a file; give a folder", [.. Train, "--out", "{tmp}/t", "--feature-cache-dir", "{in}/existing.txt"]);
        yield return Row("train --feature-cache-dir holds an input", "holds the input", [.. Train, "--out", "{tmp}/t", "--feature-cache-dir", "{in}"]);
        yield return Row("run restart without data", "--restart only applies with --data", ["run", "--out", "{tmp}/r", "--restart"]);
        yield return Row("run nothing recorded", "no run recorded here yet", ["run", "--out", "{tmp}/r"]);
        yield return Row("run changed data", "add --restart", ["run", "--data", "{bench}", "--out", "{in}/oldrun"]);
        yield return Row("run manifest with a task twice", "is listed twice", ["run", "--data", "{in}/dupmanifest", "--out", "{tmp}/r"]);
        yield return Row("run config not UTF-8", "not valid UTF-8", run, "--config", "{in}/bad-utf8-config.json");
        yield return Row("run seeds text", "as a whole number", run, "--seeds", "many");

        string[] demo = [.. Demo, "--out", "{tmp}/d"];
        yield return Row("demo method twice", "--methods: 'ew' is listed twice", demo, "--methods", "ew,ew");
        yield return Row("demo unknown method", "unknown method 'nosuch'", demo, "--methods", "nosuch");
        yield return Row("demo no method", "--methods: give at least one method", demo, "--methods", ",");
        yield return Row("demo seeds 0", "--seeds 0: must be between 1 and 100", demo, "--seeds", "0");
        yield return Row("demo size small", "--size 'small': expected one of tiny, default", ["demo", "--out", "{tmp}/d", "--size", "small"]);
        yield return Row("demo seed text", "as a whole number >= 0", demo, "--seed", "x");

        yield return Row("unknown command", "nosuch", ["nosuch"]);
        yield return Row("data without sub-command", "Required command was not provided", ["data"]);
        yield return Row("option without value", "--data", ["train", "--data"]);
        yield return Row("unknown data sub-command", "frobnicate", ["data", "frobnicate"]);
    }
}
