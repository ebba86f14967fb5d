using CoTBal.Cli.Tests.Contract;

namespace CoTBal.Cli.Tests;

/// <summary>
/// What `cotbal run` may do to an existing folder: a refused --restart deletes nothing (it starts over only once the
/// new data, config and model config passed every check), a folder that is not a run's is refused instead of
/// overwritten, and a damaged run record is an error line, not a crash.
/// </summary>
public sealed class RunFolderTests : IDisposable
{
    private readonly CliHarness.TempDir _dir = new();
    private readonly string _bench;

    public RunFolderTests()
    {
        _bench = Path.Combine(_dir.Path, "bench");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", _bench, "--size", "tiny", "--seed", "3").ExitCode);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>A recorded run (a shell plan: nothing trains) with a file standing for a finished job's results.</summary>
    private string RecordedRun()
    {
        var run = Path.Combine(_dir.Path, "run");
        var r = CliHarness.Run("run", "--data", _bench, "--out", run, "--plan", "shell", "--config", _dir.File("tiny.json", """{"model": "tiny"}"""));
        Assert.True(r.ExitCode == ExitCodes.Success, r.Stderr);
        Directory.CreateDirectory(Path.Combine(run, "jobs", "train-mini"));
        File.WriteAllText(Path.Combine(run, "jobs", "train-mini", "result.txt"), "hours of work");
        return run;
    }

    [Fact]
    public void A_restart_refused_for_its_data_or_config_deletes_nothing()
    {
        var run = RecordedRun();
        var before = ContractWorkspace.Snapshot(run);
        var empty = Directory.CreateDirectory(Path.Combine(_dir.Path, "empty")).FullName;
        var noManifest = CliHarness.Run("run", "--data", empty, "--out", run, "--restart", "--plan", "shell");
        Assert.Equal(ExitCodes.BadInput, noManifest.ExitCode);
        Assert.Contains("manifest", noManifest.Stderr);
        Assert.Equal(before, ContractWorkspace.Snapshot(run));

        var otherData = Path.Combine(_dir.Path, "bench2");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", otherData, "--size", "tiny", "--seed", "4").ExitCode);
        var badConfig = _dir.File("bad.json", """{"model": "tiny", "alpha": [0.5, 0.5, 0.5]}""");
        var refused = CliHarness.Run("run", "--data", otherData, "--out", run, "--restart", "--config", badConfig, "--plan", "shell");
        Assert.Equal(ExitCodes.BadInput, refused.ExitCode);
        Assert.Contains("alpha must be three numbers", refused.Stderr);
        Assert.Equal(before, ContractWorkspace.Snapshot(run));

        // the same restart with a good config starts over: the old results go, the new data is recorded
        var restarted = CliHarness.Run("run", "--data", otherData, "--out", run, "--restart", "--config", _dir.File("tiny.json"), "--plan", "shell");
        Assert.True(restarted.ExitCode == ExitCodes.Success, restarted.Stderr);
        Assert.False(File.Exists(Path.Combine(run, "jobs", "train-mini", "result.txt")));
        Assert.Contains(otherData, File.ReadAllText(Path.Combine(run, "run.json")));
    }

    [Fact]
    public void A_folder_that_is_not_a_run_is_refused_not_overwritten()
    {
        var foreign = Directory.CreateDirectory(Path.Combine(_dir.Path, "mine")).FullName;
        File.WriteAllText(Path.Combine(foreign, "plan.sh"), "my precious script");
        File.WriteAllText(Path.Combine(foreign, "model.json"), "my notes");
        var before = ContractWorkspace.Snapshot(foreign);
        var r = CliHarness.Run("run", "--data", _bench, "--out", foreign, "--plan", "shell");
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: --out {foreign}: exists and holds files of something else than a run (e.g. 'model.json'; no run.json)", line);
        Assert.Equal(before, ContractWorkspace.Snapshot(foreign));

        // a folder that holds only this run's own data is fine (the demo's layout: RUN/benchmark)
        var holder = Directory.CreateDirectory(Path.Combine(_dir.Path, "holder")).FullName;
        var inside = Path.Combine(holder, "benchmark");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", inside, "--size", "tiny", "--seed", "3").ExitCode);
        var ok = CliHarness.Run("run", "--data", inside, "--out", holder, "--plan", "shell", "--config", _dir.File("tiny.json", """{"model": "tiny"}"""));
        Assert.True(ok.ExitCode == ExitCodes.Success, ok.Stderr);
    }

    [Fact]
    public void A_restart_keeps_the_inputs_of_the_new_run_that_lie_in_the_run_folder()
    {
        var run = RecordedRun();
        var otherData = Path.Combine(_dir.Path, "bench2");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("data", "generate", "--out", otherData, "--size", "tiny", "--seed", "4").ExitCode);
        // the run's own copy of its model config, named by the new run config: kept while everything else goes
        var config = _dir.File("own-model.json", $$"""{"model": "{{Path.Combine(run, "model.json")}}"}""");
        var r = CliHarness.Run("run", "--data", otherData, "--out", run, "--restart", "--config", config, "--plan", "shell");
        Assert.True(r.ExitCode == ExitCodes.Success, r.Stderr);
        Assert.True(File.Exists(Path.Combine(run, "model.json")));
        Assert.False(Directory.Exists(Path.Combine(run, "jobs", "train-mini")));
    }

    [Fact]
    public void A_killed_demo_s_staging_folder_does_not_make_its_run_folder_foreign()
    {
        var run = Directory.CreateDirectory(Path.Combine(_dir.Path, "demo-run")).FullName;
        Directory.CreateDirectory(Path.Combine(run, ".benchmark.4242.0123456789abcdef.tmp"));   // left by a SIGKILL during generation
        Directory.CreateDirectory(Path.Combine(run, "benchmark"));
        Commands.RunCommand.RequireRunOrEmpty("--out", run, [Path.Combine(run, "benchmark"), Path.Combine(run, "pretrain")]);
        Directory.CreateDirectory(Path.Combine(run, ".other.tmp"));
        var e = Assert.Throws<Core.CoTBalInputException>(() => Commands.RunCommand.RequireRunOrEmpty("--out", run, [Path.Combine(run, "benchmark")]));
        Assert.Contains("'.other.tmp'", e.Message);
    }

    [Theory]
    [InlineData("{}", "no \"config\"")]
    [InlineData("""{"data": "/somewhere", "config": null}""", "no \"config\"")]
    public void A_run_record_without_its_config_is_one_error_line(string record, string expected)
    {
        var run = RecordedRun();
        File.WriteAllText(Path.Combine(run, "run.json"), record);
        foreach (string[] args in new[] { new[] { "run", "--out", run, "--status" }, ["run", "--out", run, "--plan", "shell"] })
        {
            var r = CliHarness.Run(args);
            Assert.Equal(ExitCodes.BadInput, r.ExitCode);
            var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("unreadable run record (" + expected, line);
        }
    }

    [Theory]
    [InlineData("alpha")]
    [InlineData("methods")]
    [InlineData("device")]
    public void A_run_record_with_a_null_config_field_is_one_error_line_naming_it(string field)
    {
        var run = RecordedRun();
        var record = Path.Combine(run, "run.json");
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(record))!;
        node["config"]![field] = null;
        File.WriteAllText(record, node.ToJsonString());
        var before = ContractWorkspace.Snapshot(run);
        foreach (string[] args in new[] { new[] { "run", "--out", run, "--status" }, ["run", "--out", run, "--plan", "shell"] })
        {
            var r = CliHarness.Run(args);
            Assert.True(r.ExitCode == ExitCodes.BadInput, r.Stderr);
            var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal($"error: {record}: unreadable run record ($.config.{field}: must not be null)", line);
        }
        Assert.Equal(before, ContractWorkspace.Snapshot(run));
    }

    [Fact]
    public void A_run_recorded_with_a_seed_now_refused_names_the_way_out_and_restart_takes_it()
    {
        var run = RecordedRun();
        var record = Path.Combine(run, "run.json");
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(record))!;
        node["config"]!["seed"] = -5;   // versions before the seed check accepted negative seeds
        File.WriteAllText(record, node.ToJsonString());
        var before = ContractWorkspace.Snapshot(run);
        var r = CliHarness.Run("run", "--out", run, "--plan", "shell");
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("the recorded run can no longer be resumed: run config: seed must be >= 0", line);
        Assert.Contains("give a valid run config with --config FILE", line);
        Assert.Equal(before, ContractWorkspace.Snapshot(run));

        // the way out the message names: a valid config replaces the recorded one
        var resumed = CliHarness.Run("run", "--out", run, "--plan", "shell", "--config", _dir.File("tiny2.json", """{"model": "tiny", "seed": 5}"""));
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Stderr);
        Assert.Equal(5, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(record))!["config"]!["seed"]!.GetValue<int>());
    }

    [Fact]
    public void Status_writes_nothing_even_when_the_model_config_changed_since()
    {
        var model = _dir.File("my-model.json", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "configs", "models", "tiny.json")));
        var run = Path.Combine(_dir.Path, "edited");
        var planned = CliHarness.Run("run", "--data", _bench, "--out", run, "--plan", "shell", "--config", _dir.File("own.json", $$"""{"model": "{{model}}"}"""));
        Assert.True(planned.ExitCode == ExitCodes.Success, planned.Stderr);
        File.AppendAllText(model, "\n");   // edited after the run was planned
        var before = ContractWorkspace.Snapshot(run);
        var status = CliHarness.Run("run", "--out", run, "--status");
        Assert.True(status.ExitCode == ExitCodes.Success, status.Stderr);
        Assert.Equal(before, ContractWorkspace.Snapshot(run));
    }

    [Fact]
    public void A_recorded_data_folder_that_is_gone_is_named_as_the_run_s_not_as_an_option_never_given()
    {
        var data = Path.Combine(_dir.Path, "moved");
        Directory.Move(_bench, data);
        var run = Path.Combine(_dir.Path, "orphan");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("run", "--data", data, "--out", run, "--plan", "shell", "--config", _dir.File("t.json", """{"model": "tiny"}""")).ExitCode);
        Directory.Move(data, _bench);
        foreach (string[] args in new[] { new[] { "run", "--out", run, "--status" }, ["run", "--out", run, "--plan", "shell"] })
        {
            var r = CliHarness.Run(args);
            Assert.Equal(ExitCodes.BadInput, r.ExitCode);
            var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"the run's data folder {data} no longer exists", line);
            Assert.DoesNotContain("--data " + data, line);
        }
    }

    [Fact]
    public void Status_reads_a_run_folder_that_cannot_be_written()
    {
        if (Environment.UserName != "root") return;   // a read-only bind mount needs root (the project's CI and VM run as root)
        var run = RecordedRun();
        static void Exec(string file, params string[] args)
        {
            using var p = System.Diagnostics.Process.Start(file, args)!;
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
        }
        Exec("mount", "--bind", run, run);
        try
        {
            Exec("mount", "-o", "remount,ro,bind", run);
            var status = CliHarness.Run("run", "--out", run, "--status");
            Assert.True(status.ExitCode == ExitCodes.Success, status.Stderr);
            var plan = CliHarness.Run("run", "--out", run, "--plan", "shell");   // writes: refused by name, up front
            Assert.Equal(ExitCodes.BadInput, plan.ExitCode);
            Assert.Contains($"--out {run}: cannot write in {run}", plan.Stderr);
        }
        finally
        {
            Exec("umount", run);
        }
    }

    [Fact]
    public void A_recorded_config_is_a_valid_config_file_and_an_older_record_with_a_derived_field_still_resumes()
    {
        var run = RecordedRun();
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, "run.json")))!;
        var config = record["config"]!.AsObject();
        Assert.False(config.ContainsKey("effective_jobs"));   // derived from jobs and the cores: not recorded
        var copy = _dir.File("recorded.json", config.ToJsonString());
        var again = CliHarness.Run("run", "--data", _bench, "--out", Path.Combine(_dir.Path, "again"), "--plan", "shell", "--config", copy);
        Assert.True(again.ExitCode == ExitCodes.Success, again.Stderr);   // was "$.effective_jobs: unknown field"

        config["effective_jobs"] = 2;   // as records written before this change hold it
        File.WriteAllText(Path.Combine(run, "run.json"), record.ToJsonString());
        var status = CliHarness.Run("run", "--out", run, "--status");
        Assert.True(status.ExitCode == ExitCodes.Success, status.Stderr);
    }
}
