using System.Security.Cryptography;

namespace CoTBal.Training;

/// <summary>Hex SHA-256 of files (checkpoint manifests, config fingerprints).</summary>
public static class Sha256
{
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
