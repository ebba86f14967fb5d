using System.CommandLine;
using CoTBal.Core.IO;
using CoTBal.Core.Relative;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal compare</c>: per-task relative change, dI% and dE% of every method against a baseline.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var results = new Option<string>("--results") { Description = "test scores, long CSV method,task,value[,higher_is_better]", Required = true };
        var baseline = new Option<string>("--baseline") { Description = "the reference method", DefaultValueFactory = _ => RelativeMetrics.DefaultBaseline };
        var lower = new Option<string[]>("--lower-is-better") { Description = "task whose metric is lower-is-better (repeatable or comma-separated); same as higher_is_better=false in the CSV" };
        var json = new Option<string?>("--json") { Description = "write {baseline, tasks, methods: {M: {delta_i, delta_e, relative}}} to this file (atomically)" };
        var command = new Command("compare", "Relative change per task, overall improvement dI% and average shortfall dE% of every method against a baseline (default STL).");
        foreach (var o in new Option[] { results, baseline, lower, json }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var resultsPath = run.Input("--results", parse.GetValue(results)!);
            var jsonPath = run.OptionalOutputFile("--json", parse.GetValue(json));
            var lowerSet = (parse.GetValue(lower) ?? []).SelectMany(OptionParsing.Names).ToHashSet(StringComparer.Ordinal);
            var data = MethodResults.Load(resultsPath, lowerSet);
            if (lowerSet.FirstOrDefault(t => !data.Tasks.Contains(t)) is { } unknown)
                throw new Core.CoTBalInputException($"--lower-is-better: unknown task '{unknown}'");
            var report = RelativeMetrics.Compare(data, parse.GetValue(baseline)!);
            FiniteResults.Require(report.Methods.SelectMany(m =>
                    new[] { ($"{resultsPath}: dI% of '{m.Method}'", m.DeltaI), ($"{resultsPath}: dE% of '{m.Method}'", m.DeltaE) }
                        .Concat(m.Relative.Select(r => ($"{resultsPath}: relative change of '{m.Method}' on '{r.Key}'", r.Value)))),
                "the scores are too extreme (or too close to 0 at the baseline) for a relative change");
            if (jsonPath is not null) AtomicFile.WriteAllText(jsonPath, RelativeMetrics.ToJson(report));
            Console.Write(RelativeMetrics.ToTable(report));
            return ExitCodes.Success;
        }));
        return command;
    }
}
