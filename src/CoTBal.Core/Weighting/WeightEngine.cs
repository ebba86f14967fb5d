namespace CoTBal.Core.Weighting;

/// <summary>Turns a <see cref="WeightRequest"/> into a <see cref="WeightReport"/>: resolves the task order and
/// fixed tasks, computes or reads the aggregates, chooses the temperature, and mixes the weights.</summary>
public static class WeightEngine
{
    public static WeightReport Run(WeightRequest request)
    {
        if ((request.Results is null) == (request.Aggregates is null))
            throw new CoTBalInputException("give exactly one input: validation results (model,task,value) or aggregates (task,c_out,c_in,difficulty)");
        request.Options.Validate();

        var inputTasks = request.Results?.Tasks ?? request.Aggregates!.Select(r => r.Task).ToArray();
        var source = request.Results?.Source ?? request.AggregatesSource;
        var allTasks = ResolveTaskOrder(inputTasks, request.TaskOrder, source);
        foreach (var (task, weight) in request.Fixed)
        {
            if (!allTasks.Contains(task))
                throw new CoTBalInputException(
                    $"unknown --fixed task '{task}' (tasks: {string.Join(", ", allTasks)}); to place a task that has no validation results, list every task in order with --tasks");
            if (!double.IsFinite(weight) || weight < 0)
                throw new CoTBalInputException($"--fixed {task}: weight {weight} must be a finite number >= 0");
        }
        var balanced = allTasks.Where(t => !request.Fixed.ContainsKey(t)).ToArray();
        if (balanced.Length < 2)
            throw new CoTBalInputException($"CoTBal needs at least 2 balanced tasks, found {balanced.Length} ({string.Join(", ", balanced)})");

        TaskAggregates aggregates;
        IReadOnlyList<string> ignored = [];
        if (request.Results is { } results)
        {
            aggregates = ContributionAnalysis.Compute(results, balanced, request.Form);
            var used = UsedRuns(balanced, request.Form);
            ignored = results.Models.Where(m => !used.Contains(m)).ToArray();
        }
        else
        {
            var rows = request.Aggregates!.ToDictionary(r => r.Task);
            foreach (var t in balanced)
            {
                if (!rows.TryGetValue(t, out var r))
                    throw new CoTBalInputException($"{source}: no row for task '{t}'");
                if (r.COut is null)
                    throw new CoTBalInputException(
                        $"{source}:{r.Line}: task '{t}' has no c_out,c_in,difficulty; give it a fixed weight (e.g. --fixed {t}=1.0)");
            }
            aggregates = new TaskAggregates(balanced,
                balanced.Select(t => rows[t].COut!.Value).ToArray(),
                balanced.Select(t => rows[t].CIn!.Value).ToArray(),
                balanced.Select(t => rows[t].Difficulty!.Value).ToArray());
        }

        TemperatureChoice? choice = null;
        var options = request.Options;
        if (request.AutoTemperature)
        {
            choice = TemperatureSearch.Choose(aggregates, options, request.TemperatureGrid, request.WeightLowerBound, request.WeightUpperBound, source);
            options = options with { Temperature = choice.Chosen };
        }
        var w = CoTBalWeighting.Compute(aggregates, options);

        var index = balanced.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        double? At(IReadOnlyList<double> v, string task) => index.TryGetValue(task, out var i) ? v[i] : null;
        return new WeightReport(
            allTasks,
            balanced,
            new Dictionary<string, double>(request.Fixed),
            allTasks.Select(t => request.Fixed.TryGetValue(t, out var f) ? f : w.Weights[index[t]]).ToArray(),
            allTasks.Select(t => At(w.LambdaOut, t)).ToArray(),
            allTasks.Select(t => At(w.LambdaIn, t)).ToArray(),
            allTasks.Select(t => At(w.LambdaD, t)).ToArray(),
            allTasks.Select(t => At(aggregates.COut, t)).ToArray(),
            allTasks.Select(t => At(aggregates.CIn, t)).ToArray(),
            allTasks.Select(t => At(aggregates.Difficulty, t)).ToArray(),
            aggregates.CMatrix,
            options.Temperature,
            options,
            request.Results is null ? null : request.Form,
            choice,
            ignored);
    }

    private static IReadOnlyList<string> ResolveTaskOrder(IReadOnlyList<string> inputTasks, IReadOnlyList<string>? order, string source)
    {
        if (order is null) return inputTasks;
        var duplicate = order.GroupBy(t => t).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new CoTBalInputException($"--tasks lists '{duplicate.Key}' twice");
        var missing = inputTasks.FirstOrDefault(t => !order.Contains(t));
        if (missing is not null)
            throw new CoTBalInputException($"{source}: task '{missing}' is in the input but not in --tasks ({string.Join(", ", order)})");
        return order;
    }

    private static HashSet<string> UsedRuns(IReadOnlyList<string> tasks, PreparationForm form)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        if (form == PreparationForm.Simplified) used.Add(ContributionAnalysis.BaseModel);
        else used.Add(ContributionAnalysis.MiniModel);
        foreach (var t in tasks)
        {
            if (form != PreparationForm.Simplified) used.Add(ContributionAnalysis.PlusMiniModel(t));
            if (form != PreparationForm.Real)
            {
                used.Add(ContributionAnalysis.SingleTaskModel(t));
                used.Add(ContributionAnalysis.SingleTaskMiniModel(t));
            }
        }
        return used;
    }
}
