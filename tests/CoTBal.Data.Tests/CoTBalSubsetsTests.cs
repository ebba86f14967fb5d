using CoTBal.Core;

namespace CoTBal.Data.Tests;

public sealed class CoTBalSubsetsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Task "a" has 100 samples, "b" 64, "c" 10, interleaved a, b, c, a, b, c...</summary>
    private string WriteMixture()
    {
        var samples = new List<LlavaSample>();
        var counts = new Dictionary<string, int> { ["a"] = 100, ["b"] = 64, ["c"] = 10 };
        var made = counts.Keys.ToDictionary(k => k, _ => 0);
        while (made.Any(p => p.Value < counts[p.Key]))
            foreach (var t in counts.Keys.Where(t => made[t] < counts[t]))
                samples.Add(new LlavaSample($"{t}{made[t]++}", t, null, [new(ConversationTurn.Human, "q"), new(ConversationTurn.Gpt, "a")]));
        LlavaDataWriter.Write(_dir.File("mix.json"), samples);
        return _dir.File("mix.json");
    }

    private static List<string> Ids(string path) => [.. LlavaDataReader.Read(path, LlavaReadOptions.Default).Select(s => s.Id)];

    [Fact]
    public void Mini_sizes_are_floor_of_the_fraction_with_a_minimum()
    {
        var o = new SubsetOptions { MiniFraction = 1.0 / 32, MinMiniSize = 2 };
        Assert.Equal([3, 2, 2, 2, 1], new[] { 100, 64, 10, 2, 1 }.Select(n => CoTBalSubsets.MiniSize(n, o)));
        Assert.Equal(62, CoTBalSubsets.MiniSize(2000, o with { MinMiniSize = 1 }));
        Assert.Equal(64, CoTBalSubsets.MiniSize(2000, o with { MinMiniSize = 64 }));
    }

    [Fact]
    public void Writes_single_mini_plus_mini_and_all_mini_files_named_as_the_authors_do()
    {
        var m = CoTBalSubsets.Write(WriteMixture(), _dir.File("out"), new SubsetOptions { MinMiniSize = 4, Seed = 1 });
        Assert.Equal(["a", "b", "c"], m.Tasks);
        Assert.Equal(
        [
            "a_train-100.json", "b_train-64.json", "c_train-10.json",
            "a-mini_train-4.json", "b-mini_train-4.json", "c-mini_train-4.json",
            "a-plus-mini_train-108.json", "b-plus-mini_train-72.json", "c-plus-mini_train-18.json",
            "mini_train-12.json",
        ], m.Files.Select(f => f.File));
        var miniA = Ids(_dir.File("out/a-mini_train-4.json"));
        Assert.All(miniA, id => Assert.StartsWith("a", id));
        var plusA = Ids(_dir.File("out/a-plus-mini_train-108.json"));
        var miniB = Ids(_dir.File("out/b-mini_train-4.json"));
        var miniC = Ids(_dir.File("out/c-mini_train-4.json"));
        // a's plus-mini: all of a, b's and c's minis, nothing else, in input order
        Assert.Equal(Ids(_dir.File("mix.json")).Where(id => id.StartsWith('a') || miniB.Contains(id) || miniC.Contains(id)), plusA);
        Assert.Equal(Ids(_dir.File("mix.json")).Where(id => miniA.Contains(id) || miniB.Contains(id) || miniC.Contains(id)), Ids(_dir.File("out/mini_train-12.json")));
        Assert.True(File.Exists(_dir.File("out/subsets.json")));
    }

    [Fact]
    public void With_a_large_fraction_the_mini_is_that_fraction_of_the_large_subset_and_inside_it()
    {
        // R_large = 1/4: a's large subset has 25 of its 100 samples; its mini is 1/4 of those (6), drawn from them.
        var m = CoTBalSubsets.Write(WriteMixture(), _dir.File("q"), new SubsetOptions { LargeFraction = 0.25, MiniFraction = 0.25, Seed = 3 });
        var large = Ids(Path.Combine(_dir.File("q"), m.Find(SubsetKind.Single, "a")!.File));
        var mini = Ids(Path.Combine(_dir.File("q"), m.Find(SubsetKind.Mini, "a")!.File));
        Assert.Equal(25, large.Count);
        Assert.Equal(6, mini.Count);
        Assert.All(mini, id => Assert.Contains(id, large));
        var plus = Ids(Path.Combine(_dir.File("q"), m.Find(SubsetKind.PlusMini, "b")!.File));
        Assert.Equal(16 + 6 + 1, plus.Count);   // b's large (16 of 64), a's mini (6), c's mini (large 2, floor(2 x 0.25) = 0, at least 1)
    }

    [Fact]
    public void Same_seed_same_minis_other_seed_other_minis()
    {
        var mix = WriteMixture();
        var options = new SubsetOptions { MinMiniSize = 4, Seed = 1 };
        CoTBalSubsets.Write(mix, _dir.File("x"), options);
        CoTBalSubsets.Write(mix, _dir.File("y"), options);
        CoTBalSubsets.Write(mix, _dir.File("z"), options with { Seed = 2 });
        Assert.Equal(File.ReadAllBytes(_dir.File("x/a-mini_train-4.json")), File.ReadAllBytes(_dir.File("y/a-mini_train-4.json")));
        Assert.NotEqual(Ids(_dir.File("x/a-mini_train-4.json")), Ids(_dir.File("z/a-mini_train-4.json")));
    }

    [Fact]
    public void Validation_split_gets_single_task_files_only_and_bad_options_are_input_errors()
    {
        var mix = WriteMixture();
        var m = CoTBalSubsets.Write(mix, _dir.File("v"), new SubsetOptions { Split = "val" });
        Assert.Equal(["a_val-100.json", "b_val-64.json", "c_val-10.json"], m.Files.Select(f => f.File));
        Assert.Equal("--mini-fraction 0: must be in (0, 1]",
            Assert.Throws<CoTBalInputException>(() => CoTBalSubsets.Write(mix, _dir.File("w"), new SubsetOptions { MiniFraction = 0 })).Message);
        Assert.Contains("task 'c' is not in the task list",
            Assert.Throws<CoTBalInputException>(() => CoTBalSubsets.Write(mix, _dir.File("w"), new SubsetOptions { Tasks = ["a", "b"] })).Message);
        Assert.Equal(1.0 / 32, Fraction.Parse("1/32", "--mini-fraction"));
        Assert.Equal(0.25, Fraction.Parse("0.25", "--mini-fraction"));
        Assert.Throws<CoTBalInputException>(() => Fraction.Parse("1/0", "--mini-fraction"));
    }

    [Fact]
    public void An_unknown_no_plus_mini_task_is_refused_naming_the_option_the_task_and_the_known_ones()
    {
        var mix = WriteMixture();
        var e = Assert.Throws<CoTBalInputException>(() => CoTBalSubsets.Write(mix, _dir.File("w"), new SubsetOptions { NoPlusMini = ["c", "zzz"] }));
        Assert.Equal("--no-plus-mini: unknown task 'zzz' (tasks: a, b, c)", e.Message);
        Assert.False(Directory.Exists(_dir.File("w")));
        var m = CoTBalSubsets.Write(mix, _dir.File("ok"), new SubsetOptions { NoPlusMini = ["c"] });
        Assert.DoesNotContain(m.Files, f => f.Kind == SubsetKind.PlusMini && f.Task == "c");
    }
}
