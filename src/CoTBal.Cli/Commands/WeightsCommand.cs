using System.CommandLine;
using CoTBal.Core;
using CoTBal.Core.IO;
using CoTBal.Core.Weighting;

namespace CoTBal.Cli.Commands;

/// <summary><c>cotbal weights</c>: CoTBal task weights from validation results or precomputed aggregates.</summary>
public static class WeightsCommand
{
    public static Command Create()
    {
        var results = new Option<string?>("--results") { Description = "validation results, long CSV model,task,value (runs named mini, <task>-plus-mini, <task>, <task>-mini, base)" };
        var aggregates = new Option<string?>("--aggregates") { Description = "precomputed measures, CSV task,c_out,c_in,difficulty (a row with all three empty = a task that gets --fixed)" };
        var form = new Option<string>("--form") { Description = "real (mini + <task>-plus-mini runs), precise (difficulty from <task>-mini and <task>), simplified (C from <task> vs base; precise difficulty)", DefaultValueFactory = _ => "real" };
        form.AcceptOnlyFromAmong("real", "precise", "simplified");
        var temperature = new Option<string>("--temperature", "-T") { Description = "softmax temperature T > 0, or 'auto': the lowest T on the grid whose weights all lie in --weight-range", DefaultValueFactory = _ => "0.5" };
        var grid = new Option<string?>("--temperature-grid") { Description = "comma-separated temperatures tried by --temperature auto (default 0.05..2 step 0.05, 2.5, 3, 4, 5, 10)" };
        var range = new Option<string>("--weight-range") { Description = "bounds every weight must respect for --temperature auto", DefaultValueFactory = _ => "0.5,2" };
        var alpha = new Option<string>("--alpha") { Description = "mixing coefficients a_out,a_in,a_D (must sum to 1)", DefaultValueFactory = _ => "0.25,0.25,0.5" };
        var fixedTasks = new Option<string[]>("--fixed") { Description = "task excluded from balancing with its weight, NAME=W (repeatable), e.g. ShareGPT=1.0", AllowMultipleArgumentsPerToken = false };
        var tasks = new Option<string?>("--tasks") { Description = "every task in output order, comma-separated (needed to place a fixed task that has no results)" };
        var lower = new Option<string[]>("--lower-is-better") { Description = "task whose metric is lower-is-better (its scores are negated); repeatable or comma-separated" };
        var json = new Option<string?>("--json") { Description = "write the weights and measures as JSON to this file (atomically)" };
        var format = new Option<string>("--format") { Description = "what to print: table, visatb (the --VisATB_weights line for the authors' PyTorch trainer), json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "visatb", "json");

        var command = new Command("weights", "Compute CoTBal task weights (inter-task contribution + intra-task difficulty) from validation results or aggregates.");
        foreach (var o in new Option[] { results, aggregates, form, temperature, grid, range, alpha, fixedTasks, tasks, lower, json, format }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var resultsPath = run.OptionalInput("--results", parse.GetValue(results));
            var aggregatesPath = run.OptionalInput("--aggregates", parse.GetValue(aggregates));
            var jsonPath = run.OptionalOutputFile("--json", parse.GetValue(json));
            var lowerSet = (parse.GetValue(lower) ?? []).SelectMany(OptionParsing.Names).ToHashSet(StringComparer.Ordinal);
            if ((resultsPath is null) == (aggregatesPath is null))
                throw new CoTBalInputException("give exactly one of --results FILE or --aggregates FILE");
            var alphas = OptionParsing.Numbers("--alpha", parse.GetValue(alpha)!);
            if (alphas.Count != 3) throw new CoTBalInputException($"--alpha needs three numbers a_out,a_in,a_D, got {alphas.Count}");
            var bounds = OptionParsing.Numbers("--weight-range", parse.GetValue(range)!);
            if (bounds.Count != 2) throw new CoTBalInputException("--weight-range needs two numbers LOW,HIGH");
            var tText = parse.GetValue(temperature)!;
            var auto = string.Equals(tText, "auto", StringComparison.OrdinalIgnoreCase);
            var gridText = parse.GetValue(grid);
            var order = parse.GetValue(tasks) is { } orderText ? OptionParsing.Names(orderText) : null;
            if (order is not null && order.Distinct(StringComparer.Ordinal).Count() != order.Count)
                throw new CoTBalInputException("--tasks lists a task twice");
            if (gridText is not null && !auto) throw new CoTBalInputException("--temperature-grid is only used with --temperature auto");
            OptionParsing.OnlyWith(parse, range, auto, "with --temperature auto");
            OptionParsing.OnlyWith(parse, form, resultsPath is not null, "with --results (aggregates are already measures)");
            if (aggregatesPath is not null && lowerSet.Count > 0)
                throw new CoTBalInputException("--lower-is-better applies to --results scores; aggregates are already measures");

            var request = new WeightRequest
            {
                Results = resultsPath is null ? null : ValidationResults.Load(resultsPath, lowerSet),
                Aggregates = aggregatesPath is null ? null : AggregatesCsv.Load(aggregatesPath),
                AggregatesSource = aggregatesPath ?? "aggregates",
                Form = Enum.Parse<PreparationForm>(parse.GetValue(form)!, ignoreCase: true),
                Options = new CoTBalWeightOptions(auto ? 0.5 : OptionParsing.Number("--temperature", tText), alphas[0], alphas[1], alphas[2]),
                AutoTemperature = auto,
                TemperatureGrid = gridText is null ? null : OptionParsing.Numbers("--temperature-grid", gridText),
                WeightLowerBound = bounds[0],
                WeightUpperBound = bounds[1],
                Fixed = OptionParsing.Assignments("--fixed", parse.GetValue(fixedTasks)),
                TaskOrder = order,
            };
            if (lowerSet.FirstOrDefault(t => request.Results is { } r && !r.Tasks.Contains(t)) is { } unknownLower)
                throw new CoTBalInputException($"--lower-is-better: unknown task '{unknownLower}'");
            var report = WeightEngine.Run(request);
            var source = resultsPath ?? aggregatesPath!;
            FiniteResults.Require(report.Tasks.SelectMany((t, i) => new (string, double?)[]
                    {
                        ("weight", report.Weights[i]), ("lambda_out", report.LambdaOut[i]), ("lambda_in", report.LambdaIn[i]), ("lambda_d", report.LambdaD[i]),
                        ("c_out", report.COut[i]), ("c_in", report.CIn[i]), ("difficulty", report.Difficulty[i]),
                    }.Where(v => v.Item2 is not null).Select(v => ($"{source}: {v.Item1} of task '{t}'", v.Item2!.Value))),
                "the temperature or the measures are too extreme; try another --temperature (or auto)");
            if (report.Weights.All(w => w == 0))
                throw new CoTBalInputException($"{source}: every task weight is 0; nothing would be trained");
            if (jsonPath is not null) AtomicFile.WriteAllText(jsonPath, WeightReportFormat.ToJson(report));
            Console.Write(parse.GetValue(format) switch
            {
                "visatb" => WeightReportFormat.ToVisatbArguments(report) + "\n",
                "json" => WeightReportFormat.ToJson(report),
                _ => WeightReportFormat.ToTable(report),
            });
            return ExitCodes.Success;
        }));
        return command;
    }
}
