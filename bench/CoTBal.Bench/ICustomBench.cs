namespace CoTBal.Bench;

/// <summary>
/// A benchmark that measures something BenchmarkDotNet cannot (throughput of a whole training step,
/// MFU against a peak measured in-process, resident memory over many steps...). Discovered by reflection:
/// add a class, no registration. Run with <c>dotnet run -c Release --project bench/CoTBal.Bench -- NAME</c>.
/// </summary>
public interface ICustomBench
{
    string Name { get; }
    string Description { get; }
    int Run(string[] args);
}
