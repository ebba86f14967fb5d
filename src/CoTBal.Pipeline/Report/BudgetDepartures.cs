using System.Globalization;
using CoTBal.Data;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Report;

/// <summary>
/// Where a run's budgets depart from the paper's: a mini that <c>mini_min_samples</c> raised above
/// <c>mini_fraction</c> of its large subset, a training that <c>min_steps</c> lengthened, STL and final
/// trainings that see each task's data a different number of epochs; plus the DWA/IGB windows used.
/// Read from RUN/data/subsets.json and the training jobs' state.json; minis only when the run trains on them.
/// </summary>
public static class BudgetDepartures
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> Find(RunDirectory run, JobGraph graph, RunConfig config)
    {
        var lines = new List<string>();
        // the minis feed only the auxiliary trainings: without the N+1 preparation their size departs from nothing
        if (graph.HasPreparation && File.Exists(Path.Combine(run.DataDirectory, SubsetManifest.FileName)))
        {
            var subsets = SubsetManifest.Load(run.DataDirectory);
            foreach (var mini in subsets.Files.Where(f => f.Kind == SubsetKind.Mini))
            {
                var large = subsets.Find(SubsetKind.Single, mini.Task!)?.Size ?? 0;
                var paper = Math.Min(large, (int)Math.Floor(large * subsets.MiniFraction + 1e-9));
                if (mini.Size > paper)
                    lines.Add(string.Create(Ci, $"mini of {mini.Task}: {mini.Size} samples = 1/{large / (double)mini.Size:0.#} of its {large} (mini_fraction 1/{1 / subsets.MiniFraction:0.#} gives {paper}; raised by mini_min_samples {subsets.MinMiniSize})"));
            }
        }
        foreach (var job in graph.Jobs.Where(j => j.Kind == JobKind.Train))
        {
            var state = run.ReadState(job.Name);
            if (state is null || !state.Metrics.TryGetValue("budget_steps", out var budgetSteps) || !state.Metrics.TryGetValue("steps", out var steps)) continue;
            if (steps > budgetSteps)
                lines.Add(string.Create(Ci, $"{job.Name}: min_steps raised {budgetSteps:0} steps to {steps:0} ({state.Metrics.GetValueOrDefault("epochs"):0.##} epochs of its data instead of {Budget(config, job).Epochs:0.##})"));
        }
        if (config.SingleTask.Epochs != config.Final.Epochs)
            lines.Add(string.Create(Ci, $"STL trainings run {config.SingleTask.Epochs:0.##} epochs and final trainings {config.Final.Epochs:0.##}: the paper trains both the same number of epochs over each task's data"));
        if (config.LargeFraction < 1 && graph.Jobs.Any(j => j.GetString("budget") == "single_task"))
            lines.Add(string.Create(Ci, $"STL models train on the large subsets (R_large = {config.LargeFraction:0.###}), final models on all data"));
        return lines;
    }

    /// <summary>The DWA/IGB windows the final trainings used, with how they were chosen.</summary>
    public static IReadOnlyList<string> Windows(RunDirectory run, JobGraph graph, RunConfig config)
    {
        var lines = new List<string>();
        foreach (var job in graph.Jobs.Where(j => j.Kind == JobKind.Train && j.GetString("method") is "dwa" or "igb").GroupBy(j => j.GetString("method")).Select(g => g.First()))
        {
            var state = run.ReadState(job.Name);
            var method = job.GetString("method")!;
            var window = state?.Metrics.GetValueOrDefault(method + "_window") ?? 0;
            if (state is null || window <= 0) continue;
            var configured = method == "dwa" ? config.DwaWindow : config.IgbWindow;
            var authors = method == "dwa" ? WeightingWindows.AuthorsDwaWindow : WeightingWindows.AuthorsIgbWindow;
            lines.Add(configured is not null
                ? string.Create(Ci, $"{method.ToUpperInvariant()} window {window:0} iterations (set in the run config)")
                : string.Create(Ci, $"{method.ToUpperInvariant()} window {window:0} iterations: the authors' {authors} at {WeightingWindows.AuthorsIterations:N0} iterations, scaled to this run's {state.Metrics.GetValueOrDefault("steps"):0} steps"));
        }
        return lines;
    }

    private static TrainingBudget Budget(RunConfig config, JobSpec job) => job.GetString("budget") switch
    {
        "auxiliary" => config.Auxiliary,
        "single_task" => config.SingleTask,
        _ => config.Final,
    };
}
