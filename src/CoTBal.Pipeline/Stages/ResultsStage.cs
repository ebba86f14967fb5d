using System.Text.Json;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Stages;

/// <summary>Per-task scores a validation or test job wrote (scores.json in its folder).</summary>
public sealed record TaskScore(string Task, string Metric, string ScoreName, double Value, int Count);

/// <summary>Collects the validation scores of every auxiliary model into results.csv (model,task,value).</summary>
public static class ResultsStage
{
    public const string ScoresFile = "scores.json";

    public static JobResult Execute(JobSpec job, JobContext context)
    {
        var models = job.Parameters["models"]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();
        var rows = new List<string[]>();
        foreach (var model in models)
            foreach (var s in ReadScores(context.Run, JobGraph.ValidationJob(model)))
                rows.Add([model, s.Task, CsvWriter.Number(s.Value)]);
        AtomicFile.WriteAllText(context.Run.ResultsCsv, CsvWriter.Format(["model", "task", "value"], rows));
        return new JobResult(new Dictionary<string, double> { ["rows"] = rows.Count });
    }

    public static IReadOnlyList<TaskScore> ReadScores(RunDirectory run, string evaluationJob)
    {
        var path = Path.Combine(run.JobDirectory(evaluationJob), ScoresFile);
        if (!File.Exists(path)) throw new CoTBalInputException($"{path}: missing; re-run job '{evaluationJob}'");
        return JsonSerializer.Deserialize<TaskScore[]>(File.ReadAllText(path), Json)
            ?? throw new CoTBalInputException($"{path}: empty scores");
    }

    public static void WriteScores(string jobDirectory, IReadOnlyList<TaskScore> scores) =>
        AtomicFile.WriteAllText(Path.Combine(jobDirectory, ScoresFile), JsonSerializer.Serialize(scores, Json));

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
