using System.CommandLine;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Core.Metrics;

namespace CoTBal.Cli.Commands;

/// <summary>
/// <c>cotbal evaluate</c>: scores an answers file with one metric (docs/metrics.md), or a multi-task file task by
/// task with <c>--task-metrics</c>; prints a summary and optionally writes <c>{"metric", "scores", "per_item", "count"}</c>
/// (per task under <c>{"tasks": {...}}</c>) as JSON.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var answers = new Option<string>("--answers") { Description = "answers file: native JSON Lines {id, task?, prediction, references} or a VisATB JSON list", Required = true };
        var metric = new Option<string?>("--metric") { Description = $"one metric for every answer, one of: {string.Join(", ", Evaluator.MetricNames)}" };
        metric.AcceptOnlyFromAmong([.. Evaluator.MetricNames]);
        var taskMetrics = new Option<string?>("--task-metrics") { Description = "score a multi-task answers file (as `cotbal predict` writes it) task by task: TASK=METRIC,... or a benchmark manifest.json" };
        var tokenize = new Option<string>("--tokenize") { Description = "caption tokenisation: ptb (COCO pipeline) or none (raw whitespace split, as the CoTBal authors' caption scripts)", DefaultValueFactory = _ => "ptb" };
        tokenize.AcceptOnlyFromAmong("ptb", "none");
        var format = new Option<string?>("--format") { Description = "answers format: native or visatb ('authors' is accepted too; default: detected)" };
        format.AcceptOnlyFromAmong([.. AnswerFiles.Formats, "authors"]);
        var threshold = new Option<double>("--threshold") { Description = "grounding IoU threshold", DefaultValueFactory = _ => 0.5 };
        var inclusive = new Option<bool>("--inclusive") { Description = "grounding hit when IoU >= threshold (Qwen-VL style) instead of > (the CoTBal authors' default)" };
        var malformedAsMiss = new Option<bool>("--malformed-as-miss") { Description = "grounding: a predicted box without exactly four numbers scores as a miss instead of failing" };
        var json = new Option<string?>("--json") { Description = "write the scores as JSON to this file (atomically)" };
        var command = new Command("evaluate", "Score predictions with BLEU/ROUGE-L/CIDEr-D (pycocoevalcap), VQA, TextVQA, exact match, grounding or multiple-choice accuracy.");
        foreach (var o in new Option[] { answers, metric, taskMetrics, tokenize, format, threshold, inclusive, malformedAsMiss, json }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var path = run.Input("--answers", parse.GetValue(answers)!);
            var perTaskText = parse.GetValue(taskMetrics);
            var manifestPath = perTaskText is not null && perTaskText.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? run.Input("--task-metrics", perTaskText) : null;
            var output = run.OptionalOutputFile("--json", parse.GetValue(json));
            var single = parse.GetValue(metric);
            if ((single is null) == (perTaskText is null))
                throw new CoTBalInputException("give exactly one of --metric METRIC or --task-metrics TASK=METRIC,...");
            var byTask = perTaskText is null ? null : TaskMetrics.Parse(perTaskText, manifestPath);
            var used = byTask?.Values.ToHashSet(StringComparer.Ordinal) ?? [single!];
            if (!(parse.GetValue(threshold) is >= 0 and <= 1))
                throw new CoTBalInputException($"--threshold {parse.GetValue(threshold)}: must be in [0, 1]");
            foreach (var o in new Option[] { threshold, inclusive, malformedAsMiss })
                OptionParsing.OnlyWith(parse, o, used.Contains("grounding"), "with --metric grounding");
            OptionParsing.OnlyWith(parse, tokenize, used.Overlaps(AnswerLimits.CaptionMetrics), "with the caption metrics (coco, cider, bleu, rouge-l)");
            var options = new EvaluationOptions(
                Tokenization: parse.GetValue(tokenize) == "none" ? CaptionTokenization.None : CaptionTokenization.Ptb,
                GroundingThreshold: parse.GetValue(threshold),
                GroundingInclusive: parse.GetValue(inclusive),
                GroundingMalformedAsMiss: parse.GetValue(malformedAsMiss));
            var items = AnswerFiles.Read(path, parse.GetValue(format) is "authors" ? "visatb" : parse.GetValue(format));
            var groups = byTask is null ? [(Task: (string?)null, Metric: single!, Items: items)] : TaskMetrics.Split(items, byTask, path);
            var results = new List<(string? Task, EvaluationResult Result)>();
            var progress = new ProgressLines("evaluate (tasks)", Console.Out);
            foreach (var (task, metricName, taskItems) in groups)
            {
                AnswerLimits.Check(metricName, taskItems, path);
                run.ThrowIfCancelled();
                EvaluationResult result;
                try
                {
                    // scoring has no cancellation points (the numeric core is synchronous), and nothing is written before
                    // it ends: Ctrl+C leaves it running on the pool and the command stops at once (one metric can take seconds)
                    var scoring = Task.Run(() => Evaluator.Evaluate(metricName, taskItems, options));
                    try
                    {
                        scoring.Wait(run.Cancellation);
                    }
                    catch (AggregateException e) when (e.InnerException is not null)
                    {
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    }
                    result = scoring.Result;
                }
                catch (CoTBalInputException e)
                {
                    throw new CoTBalInputException($"{path}: {(task is null ? "" : $"task '{task}': ")}{e.Message}", e);
                }
                FiniteResults.Require(result.Scores.Select(p => ($"{path}: {(task is null ? "" : $"task '{task}' ")}score {p.Key}", p.Value)), "the answers produce a non-finite score");
                results.Add((task, result));
                progress.Report((results.Count, groups.Count));
            }
            run.ThrowIfCancelled();
            if (output is not null)
            {
                if (byTask is null) EvaluationReport.WriteJson(output, results[0].Result);
                else AtomicFile.WriteAllText(output, TaskMetrics.ToJson(results.Select(r => (r.Task!, r.Result))));
            }
            foreach (var (task, result) in results)
            {
                if (task is not null) Console.WriteLine($"task {task}:");
                Console.Write(EvaluationReport.Summary(result));
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
