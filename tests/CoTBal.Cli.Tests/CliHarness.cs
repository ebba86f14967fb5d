[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CoTBal.Cli.Tests;

/// <summary>Runs the CLI in-process with captured stdout/stderr (tests in this assembly run sequentially).</summary>
public static class CliHarness
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    public static Outcome Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>Runs with <paramref name="cancellation"/> standing in for Ctrl+C.</summary>
    public static Outcome Run(CancellationToken cancellation, params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var code = CliEntry.Run(CliApp.CreateRoot(), args, cancellation);
            return new Outcome(code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    /// <summary>A fresh temporary directory, deleted when disposed.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path);
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cotbal-test-" + Guid.NewGuid().ToString("N"));
        public string File(string name, string? contents = null)
        {
            var p = System.IO.Path.Combine(Path, name);
            if (contents is not null) System.IO.File.WriteAllText(p, contents);
            return p;
        }
        public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
    }
}
