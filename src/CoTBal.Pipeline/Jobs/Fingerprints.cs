using System.Security.Cryptography;
using System.Text;

namespace CoTBal.Pipeline.Jobs;

/// <summary>
/// A job's fingerprint hashes its kind, its parameters, its own inputs (config sections, data files) and
/// the fingerprints of the jobs it depends on. Changing an input therefore changes the fingerprint of
/// exactly the jobs downstream of it, and only those are redone.
/// </summary>
public static class Fingerprints
{
    public static IReadOnlyDictionary<string, string> Compute(JobGraph graph, Func<JobSpec, string> ownInputs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var job in graph.Jobs)   // listed in execution order, so dependencies come first
        {
            var text = new StringBuilder()
                .Append(job.Kind).Append('\n')
                .Append(job.Parameters.ToJsonString()).Append('\n')
                .Append(ownInputs(job)).Append('\n');
            foreach (var dep in job.Dependencies) text.Append(dep).Append('=').Append(result[dep]).Append('\n');
            result[job.Name] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
        }
        return result;
    }

    /// <summary>Hash of files (names, sizes and contents) for data inputs.</summary>
    public static string OfFiles(IEnumerable<string> files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer)) > 0) sha.AppendData(buffer.AsSpan(0, read));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}
