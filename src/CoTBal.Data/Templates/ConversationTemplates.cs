using CoTBal.Core;

namespace CoTBal.Data.Templates;

/// <summary>Looks a template up by the name LLaVA's <c>--version</c> uses.</summary>
public static class ConversationTemplates
{
    public static IReadOnlyList<string> Names { get; } = ["vicuna_v1", "v1", "plain"];

    public static IConversationTemplate Get(string name) => name switch
    {
        "vicuna_v1" or "v1" => new VicunaV1Template(),
        "plain" => new PlainTemplate(),
        _ => throw new CoTBalInputException(Unknown(name)),
    };

    /// <summary>Refuses an unknown name before any work, the message prefixed with <paramref name="where"/> (an option or a file).</summary>
    public static void Check(string where, string name)
    {
        if (!Names.Contains(name)) throw new CoTBalInputException($"{where}: {Unknown(name)}");
    }

    private static string Unknown(string name) => $"unknown conversation template '{name}' (known: {string.Join(", ", Names)})";
}
