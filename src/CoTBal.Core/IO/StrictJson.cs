using System.Text.Json;

namespace CoTBal.Core.IO;

/// <summary>
/// JSON reading options for user files: a repeated property name is a <see cref="JsonException"/> (an input error naming
/// the file), not a silently kept last value or a crash in a later dictionary.
/// </summary>
public static class StrictJson
{
    public static JsonDocumentOptions Document { get; } = new() { AllowDuplicateProperties = false };
}
