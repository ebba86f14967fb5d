using CoTBal.Core.IO;
using CoTBal.Core.Metrics;
using CoTBal.Pipeline.Jobs;
using CoTBal.Training.Prediction;

namespace CoTBal.Pipeline.Stages;

/// <summary>
/// Predicts with one trained model on the validation (or test) set of each of its tasks (greedy decoding
/// with a KV cache) and scores the answers with the task's metric, exactly as `cotbal evaluate` does.
/// Writes answers-TASK.jsonl, item_scores-TASK.csv (per-item scores; for CIDEr-D an item's score depends on the
/// whole set through the document frequencies, so the bootstrap recomputes the corpus score from the answers
/// instead) and scores.json in the job folder.
/// </summary>
public sealed class EvaluateStage(PipelineData data)
{
    public JobResult Execute(JobSpec job, JobContext context, CancellationToken ct)
    {
        var model = job.GetString("model")!;
        var split = job.GetString("split")!;
        var checkpoint = TrainStage.FinalCheckpoint(context.Run, model);
        var scores = new List<TaskScore>();
        var items = 0;
        foreach (var taskNode in job.Parameters["tasks"]!.AsArray())
        {
            var task = data.Task(taskNode!.GetValue<string>());
            var file = split == "val" ? task.Val! : task.Test;
            var answers = Path.Combine(context.JobDirectory, AnswersFile(task.Name));
            Prediction.Run(new PredictOptions
            {
                CheckpointDir = checkpoint,
                DataFiles = [data.Resolve(file.File)],
                ImageFolder = data.ImageFolder,
                OutputPath = answers,
                MaxNewTokens = context.Config.MaxNewTokens,
                BatchSize = context.Config.EvalBatchSize,
                Device = context.Config.Device,
            }, ct);
            var evalItems = AnswerFiles.Read(answers, "native");
            // A model's malformed box (five numbers, say) is a miss, not an input error: the references are still checked.
            var result = Evaluator.Evaluate(task.Metric, evalItems, new EvaluationOptions(GroundingMalformedAsMiss: true));
            var primary = Evaluator.PrimaryScoreName(task.Metric);
            WriteItemScores(Path.Combine(context.JobDirectory, ItemScoresFile(task.Name)), evalItems, result, Evaluator.PerItemScoreName(task.Metric));
            scores.Add(new TaskScore(task.Name, task.Metric, primary, result.Scores[primary], result.Count));
            items += result.Count;
            context.Log($"{job.Name}: {task.Name} {primary} = {result.Scores[primary]:0.0000} ({result.Count} items)");
        }
        ResultsStage.WriteScores(context.JobDirectory, scores);
        return new JobResult(new Dictionary<string, double> { ["items"] = items });
    }

    /// <summary>Per-item scores of one task (<c>id,score</c>, in test-file order): what the paired bootstrap resamples.</summary>
    public static string ItemScoresFile(string task) => $"item_scores-{task}.csv";

    /// <summary>The answers file of one task in an evaluation job's folder.</summary>
    public static string AnswersFile(string task) => $"answers-{task}.jsonl";

    private static void WriteItemScores(string path, IReadOnlyList<EvalItem> items, EvaluationResult result, string score) =>
        AtomicFile.WriteAllText(path, CsvWriter.Format(["id", score],
            items.Select(i => new[] { i.Id, CsvWriter.Number(result.PerItem[i.Id][score]) })));
}
