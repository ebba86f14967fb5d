using CoTBal.Core.Metrics;
using CoTBal.Pipeline.Jobs;
using CoTBal.Training.Prediction;

namespace CoTBal.Pipeline.Stages;

/// <summary>
/// Predicts with one trained model on the validation (or test) set of each of its tasks (greedy decoding
/// with a KV cache) and scores the answers with the task's metric, exactly as `cotbal evaluate` does.
/// Writes answers-TASK.jsonl and scores.json in the job folder.
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
            var answers = Path.Combine(context.JobDirectory, $"answers-{task.Name}.jsonl");
            Prediction.Run(new PredictOptions
            {
                CheckpointDir = checkpoint,
                DataFiles = [data.Resolve(file.File)],
                ImageFolder = data.ImageFolder,
                OutputPath = answers,
                MaxNewTokens = context.Config.MaxNewTokens,
                BatchSize = context.Config.EvalBatchSize,
            }, ct);
            var evalItems = AnswerFiles.Read(answers, "native");
            // A model's malformed box (five numbers, say) is a miss, not an input error: the references are still checked.
            var result = Evaluator.Evaluate(task.Metric, evalItems, new EvaluationOptions(GroundingMalformedAsMiss: true));
            var primary = Evaluator.PrimaryScoreName(task.Metric);
            scores.Add(new TaskScore(task.Name, task.Metric, primary, result.Scores[primary], result.Count));
            items += result.Count;
            context.Log($"{job.Name}: {task.Name} {primary} = {result.Scores[primary]:0.0000} ({result.Count} items)");
        }
        ResultsStage.WriteScores(context.JobDirectory, scores);
        return new JobResult(new Dictionary<string, double> { ["items"] = items });
    }
}
