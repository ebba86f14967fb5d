using CoTBal.Core;
using CoTBal.Data;

namespace CoTBal.Cli;

/// <summary>Refuses LLaVA data whose sample ids repeat (across all given files) or that holds no record at all.</summary>
public static class SampleIds
{
    /// <summary>Reads the records' ids (streaming) and throws on the first repeated id, naming both places.</summary>
    public static void RequireUniqueAndNonEmpty(string option, IReadOnlyList<string> files, LlavaReadOptions read, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var any = false;
            foreach (var record in LlavaDataReader.ReadRecords(file, read))
            {
                any = true;
                if (record.Id is not { } id) continue;
                if (seen.Count % 4096 == 0) ct.ThrowIfCancellationRequested();
                var place = $"{file}: {record.Location}";
                if (!seen.TryAdd(id, place))
                    throw new CoTBalInputException($"{place}: duplicate sample id '{id}' (first at {seen[id]}); ids must be unique");
            }
            if (!any) throw new CoTBalInputException($"{option} {file}: holds no samples");
        }
    }
}
