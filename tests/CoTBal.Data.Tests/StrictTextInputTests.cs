using CoTBal.Core;
using CoTBal.Data.Text;

namespace CoTBal.Data.Tests;

/// <summary>The Data inputs a user names (tokenizer files, task maps) are read as strict UTF-8 with the size cap.</summary>
public sealed class StrictTextInputTests
{
    [Fact]
    public void Invalid_utf8_in_a_vocabulary_or_task_map_is_named_by_line_and_byte_not_reported_as_malformed_json()
    {
        using var dir = new TempDir();
        var vocab = dir.File("vocab.json");
        var before = "{\"format\": \"cotbal-words\",\n \"tokens\": [\"a"u8.ToArray();
        File.WriteAllBytes(vocab, [.. before, 0xFF, .. "\"]}"u8]);
        Assert.Equal($"{vocab}: line 2, byte offset {before.Length}: not valid UTF-8 (byte 0xFF); save the file as UTF-8",
            Assert.Throws<CoTBalInputException>(() => WordTokenizer.Load(vocab)).Message);
        var map = dir.File("tasks.json");
        File.WriteAllBytes(map, [.. "{\"default\": \"t"u8, 0xC3, .. "\"}"u8]);
        Assert.Contains("not valid UTF-8", Assert.Throws<CoTBalInputException>(() => TaskMapFile.Load(map)).Message);
    }
}
