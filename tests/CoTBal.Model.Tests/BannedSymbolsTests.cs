using System.Reflection;
using TorchSharp;

namespace CoTBal.Model.Tests;

/// <summary>
/// build/BannedSymbols.txt (the TorchSharp Scalar-lifetime ban, docs/design.md): the analyzer silently ignores an
/// entry that names no symbol, so a typo would quietly lift a ban. Every entry must name a public TorchSharp symbol.
/// </summary>
public sealed class BannedSymbolsTests
{
    private static readonly Assembly TorchSharpAssembly = typeof(Scalar).Assembly;

    private static IEnumerable<(string Id, string Message)> Entries() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "BannedSymbols.txt"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(';', 2))
            .Select(parts => (parts[0], parts.Length > 1 ? parts[1] : ""));

    [Fact]
    public void Every_entry_names_a_public_TorchSharp_symbol_and_says_what_to_use_instead()
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in TorchSharpAssembly.GetExportedTypes())
        {
            known.Add("T:" + Name(type));
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                known.Add(Id(type, method.Name, method.GetParameters(), method.Name is "op_Implicit" or "op_Explicit" ? method.ReturnType : null));
            foreach (var constructor in type.GetConstructors())
                known.Add(Id(type, "#ctor", constructor.GetParameters(), null));
        }
        var entries = Entries().ToArray();
        Assert.True(entries.Length > 100, $"only {entries.Length} entries");
        Assert.All(entries, entry =>
        {
            Assert.True(known.Contains(entry.Id), $"{entry.Id} names no public TorchSharp symbol");
            Assert.False(string.IsNullOrWhiteSpace(entry.Message), $"{entry.Id} has no message");
        });
        // the root of the problem: every implicit conversion to Scalar is banned
        var conversions = typeof(Scalar).GetMethods().Where(m => m.Name == "op_Implicit").Select(m => Id(typeof(Scalar), m.Name, m.GetParameters(), m.ReturnType));
        Assert.All(conversions, id => Assert.Contains(id, entries.Select(e => e.Id)));
    }

    private static string Id(Type type, string name, ParameterInfo[] parameters, Type? conversionResult)
    {
        var id = $"M:{Name(type)}.{name}";
        if (parameters.Length > 0) id += "(" + string.Join(",", parameters.Select(p => Name(p.ParameterType))) + ")";
        return conversionResult is null ? id : id + "~" + Name(conversionResult);
    }

    /// <summary>A type as documentation comment IDs spell it: nested with '.', generic arguments in braces.</summary>
    private static string Name(Type type)
    {
        if (type.IsByRef) return Name(type.GetElementType()!) + "@";
        if (type.IsArray) return Name(type.GetElementType()!) + "[]";
        var outer = type.IsNested ? Name(type.DeclaringType!) : type.Namespace;
        var name = type.Name.Split('`')[0];
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
            name += "{" + string.Join(",", type.GetGenericArguments().Select(Name)) + "}";
        return string.IsNullOrEmpty(outer) ? name : outer + "." + name;
    }
}
