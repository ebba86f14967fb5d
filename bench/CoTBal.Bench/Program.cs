using System.Reflection;
using BenchmarkDotNet.Running;
using CoTBal.Bench;

// `-- list` shows custom benches; `-- NAME [args]` runs one; anything else goes to BenchmarkDotNet
// (e.g. `-- --filter '*Cider*'`).
var custom = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(ICustomBench).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (ICustomBench)Activator.CreateInstance(t)!)
    .ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);

if (args.Length > 0 && args[0] == "list")
{
    foreach (var b in custom.Values.OrderBy(b => b.Name)) Console.WriteLine($"{b.Name,-24} {b.Description}");
    return 0;
}
if (args.Length > 0 && custom.TryGetValue(args[0], out var bench))
    return bench.Run(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(ICustomBench).Assembly).Run(args);
return 0;
