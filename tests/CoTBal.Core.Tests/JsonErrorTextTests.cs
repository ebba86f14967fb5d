using System.Text.Json;
using CoTBal.Core.IO;

namespace CoTBal.Core.Tests;

/// <summary>System.Text.Json's messages made readable for one error line (no .NET type names, the field first).</summary>
public sealed class JsonErrorTextTests
{
    private sealed class Config
    {
        public int Seeds { get; init; }
        public string Name { get; init; } = "";
        public bool Flag { get; init; }
        public int[] List { get; init; } = [];
    }

    private sealed record Positional(int Seeds);

    private sealed class Outer
    {
        public string Name { get; init; } = "";
        public Inner? Inner { get; init; }
    }

    private sealed class Inner
    {
        public required int Rank { get; init; }
        public required double Alpha { get; init; }
    }

    private static readonly JsonSerializerOptions Strict = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
    };

    [Theory]
    [InlineData("""{"Seeds": "many"}""", "$.Seeds: expected a number")]
    [InlineData("""{"Name": 3}""", "$.Name: expected a string")]
    [InlineData("""{"Flag": "yes"}""", "$.Flag: expected true or false")]
    [InlineData("""{"List": 3}""", "$.List: expected a list")]
    public void A_wrong_type_names_the_field_and_what_it_should_be(string json, string expected)
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Config>(json));
        Assert.Equal(expected, JsonErrorText.Of(e));
    }

    [Fact]
    public void A_type_of_the_tool_is_not_named()
    {
        // a positional record's converter names the record, not the field's type
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Positional>("""{"Seeds": "many"}"""));
        Assert.Equal("$.Seeds: a value of the wrong type or form", JsonErrorText.Of(e));
    }

    [Theory]
    [InlineData("""{"Nope": 1}""", "$.Nope: unknown field")]
    [InlineData("""{"Inner": {"Rank": 1, "Other": 2}}""", "$.Inner.Other: unknown field")]
    [InlineData("""{"Inner": {}}""", "$.Inner: missing required field(s) Rank, Alpha")]
    [InlineData("""{"Inner": {"Alpha": 1}}""", "$.Inner: missing required field(s) Rank")]
    [InlineData("""{"Name": null}""", "$.Name: must not be null")]
    public void Unknown_missing_and_null_fields_are_named_without_the_type(string json, string expected)
    {
        var e = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Outer>(json, Strict));
        Assert.Equal(expected, JsonErrorText.Of(e));
    }

    [Fact]
    public void A_missing_required_field_at_the_top_is_named()
    {
        var e = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Inner>("""{"Rank": 1}""", Strict));
        Assert.Equal("missing required field(s) Alpha", JsonErrorText.Of(e));
    }

    [Fact]
    public void A_repeated_key_is_an_error_with_strict_options()
    {
        var e = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse("""{"a": 1, "a": 2}""", StrictJson.Document));
        Assert.Contains("'a'", JsonErrorText.Of(e));
        Assert.DoesNotContain("System.", JsonErrorText.Of(e));
    }
}
