using System.Globalization;
using CoTBal.Core.IO;
using CoTBal.Core.Weighting;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Stages;

/// <summary>Computes weights.json from results.csv, exactly as `cotbal weights` does (same engine, same JSON).</summary>
public static class WeightsStage
{
    public static JobResult Execute(JobSpec job, JobContext context)
    {
        var p = job.Parameters;
        var temperature = p["temperature"]!.GetValue<string>();
        var auto = temperature == "auto";
        var alpha = p["alpha"]!.AsArray().Select(a => a!.GetValue<double>()).ToArray();
        var report = WeightEngine.Run(new WeightRequest
        {
            Results = ValidationResults.Load(context.Run.ResultsCsv),
            Form = Enum.Parse<PreparationForm>(p["form"]!.GetValue<string>(), ignoreCase: true),
            Options = new CoTBalWeightOptions(auto ? 0.5 : double.Parse(temperature, CultureInfo.InvariantCulture), alpha[0], alpha[1], alpha[2]),
            AutoTemperature = auto,
            Fixed = p["fixed"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>()),
            TaskOrder = p["tasks"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray(),
        });
        AtomicFile.WriteAllText(context.Run.WeightsJson, WeightReportFormat.ToJson(report));
        context.Log("weights: " + string.Join(", ", report.Tasks.Select((t, i) => $"{t}={report.Weights[i]:0.000}")) + $" (T = {report.Temperature})");
        return new JobResult(new Dictionary<string, double> { ["temperature"] = report.Temperature });
    }
}
