namespace CoTBal.Data;

/// <summary>
/// One record as <see cref="LlavaDataReader.ReadRecords"/> sees it: its location in the file ("record 12 (line 345)"
/// or "line 345"), the sample when it is valid, otherwise the problem (one line). Used by <c>data inspect</c>, which
/// reports problems instead of stopping at the first one.
/// </summary>
public sealed record LlavaRecord(string Location, string? Id, LlavaSample? Sample, string? Problem);
