namespace CoTBal.Pipeline;

/// <summary>What `cotbal run` was asked to do.</summary>
public sealed record RunRequest
{
    /// <summary>Per-task data folder with manifest.json; optional when the run directory already has one recorded.</summary>
    public string? DataDirectory { get; init; }
    public required string RunDirectory { get; init; }
    /// <summary>Run config JSON; optional (defaults, or the config recorded in the run directory).</summary>
    public string? ConfigPath { get; init; }
    /// <summary>A config object given directly (the demo); wins over <see cref="ConfigPath"/>.</summary>
    public Config.RunConfig? Config { get; init; }
    /// <summary>Overrides the config's number of seeds for the final trainings.</summary>
    public int? Seeds { get; init; }
    /// <summary>Run only this job (its dependencies must be done): what cluster plans call.</summary>
    public string? Job { get; init; }
    /// <summary>Write a plan (shell or slurm) instead of running.</summary>
    public string? Plan { get; init; }
    /// <summary>Print each job's state instead of running (recorded run only).</summary>
    public bool Status { get; init; }
    /// <summary>The command plans use to call cotbal, as words (a launcher path, or dotnet and a dll path).</summary>
    public IReadOnlyList<string> CotbalCommand { get; init; } = ["cotbal"];
    /// <summary>Overrides the config's jobs (trainings/evaluations at once, each in a child process).</summary>
    public int? Jobs { get; init; }
    /// <summary>Program and leading arguments that start cotbal in a child process (jobs &gt; 1); null = run every job in this process.</summary>
    public IReadOnlyList<string>? ChildCommand { get; init; }
    /// <summary>Serve the jobs named on this reader, one a line, until it ends (a concurrent run's child process, given its standard input; see <see cref="JobWorker"/>).</summary>
    public TextReader? WorkerInput { get; init; }
    /// <summary>Start over: allowed to replace the data folder recorded in the run directory, whose earlier results are removed.</summary>
    public bool Restart { get; init; }
}
