using System.Text.Json.Nodes;

namespace CoTBal.Training.Weighting;

/// <summary>Helpers for strategy states: double arrays round-trip exactly through JSON ("R" formatting).</summary>
internal static class StateJson
{
    public static JsonArray ToArray(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    public static double[] ReadDoubles(JsonObject state, string key, int expectedLength, string strategy)
    {
        if (state[key] is not JsonArray array || array.Count != expectedLength)
            throw new InvalidDataException($"{strategy} state: '{key}' must be an array of {expectedLength} numbers");
        return array.Select(x => x!.GetValue<double>()).ToArray();
    }

    public static long ReadLong(JsonObject state, string key, string strategy) =>
        state[key] is JsonValue v ? v.GetValue<long>() : throw new InvalidDataException($"{strategy} state: '{key}' is missing");
}
