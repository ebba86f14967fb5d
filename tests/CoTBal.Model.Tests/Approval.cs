namespace CoTBal.Model.Tests;

/// <summary>
/// Compares a text with a reviewed ("approved") file. Never writes the approved file: on a mismatch the
/// actual text goes to a ".received" file in the test output folder, and approving it is a separate,
/// explicit step (tests/CoTBal.Model.Tests/Approvals/approve.sh) that `dotnet test` never runs.
/// </summary>
internal static class Approval
{
    public static string ApprovedPath(string name) => Path.Combine(TestModels.RepoRoot(), "tests", "CoTBal.Model.Tests", "Approvals", name + ".txt");

    public static string ReceivedPath(string name) => Path.Combine(AppContext.BaseDirectory, "Approvals", name + ".received.txt");

    public static void Verify(string approvedPath, string receivedPath, string actual)
    {
        if (File.Exists(receivedPath)) File.Delete(receivedPath);
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : null;
        if (approved == actual) return;
        Directory.CreateDirectory(Path.GetDirectoryName(receivedPath)!);
        File.WriteAllText(receivedPath, actual);
        Assert.Fail(approved is null
            ? $"no approved file {approvedPath}; review {receivedPath} and run tests/CoTBal.Model.Tests/Approvals/approve.sh"
            : $"{approvedPath} differs from the received {receivedPath}; review the diff, then run tests/CoTBal.Model.Tests/Approvals/approve.sh to accept it");
    }
}
