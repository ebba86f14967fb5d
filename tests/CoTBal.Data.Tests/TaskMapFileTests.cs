using CoTBal.Core;

namespace CoTBal.Data.Tests;

public sealed class TaskMapFileTests
{
    [Fact]
    public void Reads_every_key_of_a_task_map()
    {
        using var dir = new TempDir();
        var read = TaskMapFile.Load(dir.Write("map.json", """{"by_id": {"s1": "x"}, "by_image_folder": {"coco": "vqa"}, "text_only": "chat", "default": "y"}"""));
        Assert.Equal("x", read.TaskById!["s1"]);
        Assert.Equal("vqa", read.TaskByImageFolder!["coco"]);
        Assert.Equal(("chat", "y"), (read.TextOnlyTask, read.DefaultTask));
    }

    [Theory]
    [InlineData("""{"by_id": {"s1": "x", "s1": "y"}}""", "s1")]
    [InlineData("""{"by_image_folder": {"coco": "x", "coco": "y"}}""", "coco")]
    [InlineData("""{"default": "a", "default": "b"}""", "default")]
    [InlineData("""{"by_id": {"s1": "x"}, "by_id": {"s2": "y"}}""", "by_id")]
    public void A_key_given_twice_is_refused_naming_the_file_and_the_key(string json, string key)
    {
        using var dir = new TempDir();
        var path = dir.Write("map.json", json);
        var e = Assert.Throws<CoTBalInputException>(() => TaskMapFile.Load(path));
        Assert.StartsWith($"{path}: line 1: ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"default": ""}""", "\"default\" must be a non-empty task name")]
    [InlineData("""{"text_only": "  "}""", "\"text_only\" must be a non-empty task name")]
    [InlineData("""{"by_id": {"s1": ""}}""", "\"by_id\".\"s1\" must be a non-empty task name")]
    [InlineData("""{"by_image_folder": {"coco": ""}}""", "\"by_image_folder\".\"coco\" must be a non-empty task name")]
    public void An_empty_task_name_is_refused_naming_the_file_and_the_key(string json, string expected)
    {
        using var dir = new TempDir();
        var path = dir.Write("map.json", json);
        var e = Assert.Throws<CoTBalInputException>(() => TaskMapFile.Load(path));
        Assert.StartsWith($"{path}: {expected}", e.Message, StringComparison.Ordinal);
    }
}
