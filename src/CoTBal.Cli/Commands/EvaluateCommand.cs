using System.CommandLine;
using CoTBal.Core;
using CoTBal.Core.Metrics;

namespace CoTBal.Cli.Commands;

/// <summary>
/// <c>cotbal evaluate</c>: scores an answers file with one metric (docs/metrics.md), prints a summary and
/// optionally writes <c>{"metric", "scores", "per_item", "count"}</c> as JSON.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var answers = new Option<string>("--answers") { Description = "answers file: native JSON Lines {id, task?, prediction, references} or a VisATB JSON list", Required = true };
        var metric = new Option<string>("--metric") { Description = $"one of: {string.Join(", ", Evaluator.MetricNames)}", Required = true };
        metric.AcceptOnlyFromAmong([.. Evaluator.MetricNames]);
        var tokenize = new Option<string>("--tokenize") { Description = "caption tokenisation: ptb (COCO pipeline) or none (raw whitespace split, as the CoTBal authors' caption scripts)", DefaultValueFactory = _ => "ptb" };
        tokenize.AcceptOnlyFromAmong("ptb", "none");
        var format = new Option<string?>("--format") { Description = "answers format: native or visatb (default: detected)" };
        format.AcceptOnlyFromAmong([.. AnswerFiles.Formats]);
        var threshold = new Option<double>("--threshold") { Description = "grounding IoU threshold", DefaultValueFactory = _ => 0.5 };
        var inclusive = new Option<bool>("--inclusive") { Description = "grounding hit when IoU >= threshold (Qwen-VL style) instead of > (the CoTBal authors' default)" };
        var malformedAsMiss = new Option<bool>("--malformed-as-miss") { Description = "grounding: a predicted box without exactly four numbers scores as a miss instead of failing" };
        var json = new Option<string?>("--json") { Description = "write the scores as JSON to this file (atomically)" };
        var command = new Command("evaluate", "Score predictions with BLEU/ROUGE-L/CIDEr-D (pycocoevalcap), VQA, TextVQA, exact match, grounding or multiple-choice accuracy.");
        foreach (var o in new Option[] { answers, metric, tokenize, format, threshold, inclusive, malformedAsMiss, json }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var path = run.Input("--answers", parse.GetValue(answers)!);
            var output = run.OptionalOutputFile("--json", parse.GetValue(json));
            var metricName = parse.GetValue(metric)!;
            if (!(parse.GetValue(threshold) is >= 0 and <= 1))
                throw new CoTBalInputException($"--threshold {parse.GetValue(threshold)}: must be in [0, 1]");
            var grounding = metricName == "grounding";
            foreach (var o in new Option[] { threshold, inclusive, malformedAsMiss })
                OptionParsing.OnlyWith(parse, o, grounding, "with --metric grounding");
            OptionParsing.OnlyWith(parse, tokenize, metricName is "coco" or "cider" or "bleu" or "rouge-l", "with the caption metrics (coco, cider, bleu, rouge-l)");
            var options = new EvaluationOptions(
                Tokenization: parse.GetValue(tokenize) == "none" ? CaptionTokenization.None : CaptionTokenization.Ptb,
                GroundingThreshold: parse.GetValue(threshold),
                GroundingInclusive: parse.GetValue(inclusive),
                GroundingMalformedAsMiss: parse.GetValue(malformedAsMiss));
            var items = AnswerFiles.Read(path, parse.GetValue(format));
            AnswerLimits.Check(metricName, items, path);
            run.ThrowIfCancelled();
            EvaluationResult result;
            try
            {
                result = Evaluator.Evaluate(metricName, items, options);
            }
            catch (CoTBalInputException e)
            {
                throw new CoTBalInputException($"{path}: {e.Message}", e);
            }
            FiniteResults.Require(result.Scores.Select(p => ($"{path}: score {p.Key}", p.Value)), "the answers produce a non-finite score");
            run.ThrowIfCancelled();
            if (output is not null) EvaluationReport.WriteJson(output, result);
            Console.Write(EvaluationReport.Summary(result));
            return ExitCodes.Success;
        }));
        return command;
    }
}
