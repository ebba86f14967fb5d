namespace CoTBal.Pipeline.Jobs;

/// <summary>
/// The order in which the concurrent runner starts ready jobs: longest expected path to the end of the run first
/// (list scheduling by "bottom level", Hu 1961): a job's path length is its own expected cost plus the longest path
/// through the jobs that wait for it. Within one level this is longest-processing-time first, so a level ends with
/// its short jobs instead of one long job running alone; across levels it starts what holds up the final trainings
/// (auxiliary trainings, then their validations) before what only the test evaluation needs. Ties keep the graph's
/// order. The order changes when jobs run, never what they compute.
/// </summary>
public static class CriticalPath
{
    /// <summary>Each job's expected path length to the end of the run.</summary>
    /// <param name="graph">the jobs, in a valid execution order</param>
    /// <param name="cost">a job's expected cost (any unit, &gt;= 0); null when not known yet (an auxiliary training before the
    /// subsets are drawn): then the mean of the known costs of its kind, else 1</param>
    public static IReadOnlyDictionary<string, double> Lengths(JobGraph graph, Func<JobSpec, double?> cost)
    {
        var known = graph.Jobs.ToDictionary(j => j.Name, cost, StringComparer.Ordinal);
        var meanOfKind = graph.Jobs.Where(j => known[j.Name] is not null).GroupBy(j => j.Kind)
            .ToDictionary(g => g.Key, g => g.Average(j => known[j.Name]!.Value));
        var dependents = graph.Jobs.ToDictionary(j => j.Name, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var job in graph.Jobs)
            foreach (var dependency in job.Dependencies)
                dependents[dependency].Add(job.Name);
        var length = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var job in graph.Jobs.Reverse())   // every dependent comes later in the graph's order
        {
            var own = known[job.Name] ?? meanOfKind.GetValueOrDefault(job.Kind, 1.0);
            length[job.Name] = own + dependents[job.Name].Select(d => length[d]).DefaultIfEmpty(0).Max();
        }
        return length;
    }

    /// <summary>The jobs in the order to start them: longest path first, ties in the graph's order.</summary>
    public static IReadOnlyList<JobSpec> Order(IEnumerable<JobSpec> jobs, JobGraph graph, IReadOnlyDictionary<string, double> lengths)
    {
        var position = graph.Jobs.Select((j, i) => (j.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        return jobs.OrderByDescending(j => lengths[j.Name]).ThenBy(j => position[j.Name]).ToArray();
    }
}
