using System.Diagnostics;

namespace CoTBal.Cli.Tests;

/// <summary>The repository's `cotbal` launcher, run against a fake `dotnet` on PATH that records builds and runs.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LauncherTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoTBal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("CoTBal.sln not found above the test directory");
    }

    [Fact]
    public async Task LaunchersStartedTogetherAfterASourceChangeBuildOnce()
    {
        using var dir = new CliHarness.TempDir();
        // a repository with the real launcher, a source file and no build yet, in a path with a space and a quote
        var repo = Path.Combine(dir.Path, "the repo's copy");
        Directory.CreateDirectory(Path.Combine(repo, "src", "CoTBal.Cli"));
        File.WriteAllText(Path.Combine(repo, "src", "CoTBal.Cli", "Program.cs"), "// source\n");
        foreach (var d in new[] { "configs", "build" }) Directory.CreateDirectory(Path.Combine(repo, d));
        foreach (var f in new[] { "Directory.Build.props", "Directory.Packages.props", "Directory.Build.targets" }) File.WriteAllText(Path.Combine(repo, f), "");
        var launcher = Path.Combine(repo, "cotbal");
        File.Copy(Path.Combine(RepoRoot(), "cotbal"), launcher);
        File.SetUnixFileMode(launcher, (UnixFileMode)0b111_101_101);
        // dotnet build -o OUT: takes a while, then writes OUT/cotbal.dll; dotnet DLL ARGS: records the run
        var bin = Path.Combine(dir.Path, "bin");
        Directory.CreateDirectory(bin);
        var calls = Path.Combine(dir.Path, "calls");
        File.WriteAllText(Path.Combine(bin, "dotnet"), $$"""
            #!/usr/bin/env bash
            if [ "$1" = build ]; then
              while [ "$#" -gt 0 ]; do if [ "$1" = -o ]; then out="$2"; fi; shift; done
              echo build >> '{{calls}}'; sleep 1; mkdir -p "$out"; touch "$out/cotbal.dll"
            else
              echo "run $2" >> '{{calls}}'
            fi
            """);
        File.SetUnixFileMode(Path.Combine(bin, "dotnet"), (UnixFileMode)0b111_101_101);

        var runs = Enumerable.Range(0, 3).Select(async i =>
        {
            var psi = new ProcessStartInfo(launcher, ["--version"]) { RedirectStandardError = true, RedirectStandardOutput = true };
            psi.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, await stderr);
        }).ToArray();
        await Task.WhenAll(runs);

        var lines = File.ReadAllLines(calls);
        Assert.Single(lines, l => l == "build");                                 // the waiters re-check under the lock
        Assert.Equal(3, lines.Count(l => l == "run --version"));
        Assert.True(File.Exists(Path.Combine(repo, ".cotbal-build", "cotbal.dll")));
    }
}
