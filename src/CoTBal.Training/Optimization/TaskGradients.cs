using CoTBal.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Training.Optimization;

/// <summary>
/// Per-task gradients of the trainable parameters for one optimizer step. For every parameter p one float32
/// buffer [N, numel(p)] holds, per task k, the gradient of the sum of task k's answer-token losses over the
/// step's micro-batches (S_k); dividing by the task's token count T_k gives the gradient of its mean loss
/// over the step, g_k = grad(S_k) / T_k, i.e. the micro-batches are pooled exactly as token balancing pools
/// them. The buffers are the only copy beyond the model's own gradients (N x the trainable size), kept across
/// steps and zeroed at the start of each.
/// </summary>
public sealed class TaskGradients : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly int _taskCount;
    private readonly Tensor[] _sums; // per parameter: [N, numel(p)] float32, on the parameter's device
    private readonly Device _device;

    public TaskGradients(IReadOnlyList<Parameter> parameters, int taskCount)
    {
        _parameters = [.. parameters];
        _taskCount = taskCount;
        _sums = _parameters.Select(p => zeros(taskCount, p.numel(), ScalarType.Float32, p.device)).ToArray();
        _device = ComputeDevice.Of(_parameters);
    }

    /// <summary>Zeroes the buffers (start of a step).</summary>
    public void Clear()
    {
        foreach (var s in _sums) s.zero_();
    }

    /// <summary>
    /// Adds grad(taskSums[k]) to task k's buffer for every task with <paramref name="present"/>[k]: one backward
    /// pass per present task through the same graph (retained until the last). The parameters' .grad is used
    /// as scratch and left zeroed.
    /// </summary>
    /// <param name="taskSums">[N] differentiable: per task, the sum of its answer-token losses in this micro-batch.</param>
    public void Accumulate(Tensor taskSums, IReadOnlyList<bool> present)
    {
        var tasks = Enumerable.Range(0, _taskCount).Where(k => present[k]).ToArray();
        for (int t = 0; t < tasks.Length; t++)
        {
            int k = tasks[t];
            using (var scope = NewDisposeScope())
                taskSums[k].backward(retain_graph: t < tasks.Length - 1);
            using var noGrad = no_grad();
            for (int i = 0; i < _parameters.Length; i++)
            {
                var grad = _parameters[i].grad;
                if (grad is null) continue; // the task's rows do not reach this parameter (e.g. no image)
                using var row = _sums[i][k];
                using var flat = grad.reshape(-1);
                row.PlusInPlace(flat);
                grad.zero_();
            }
        }
    }

    /// <summary>
    /// The Gram matrix of the mean-loss gradients of <paramref name="tasks"/> (run indices), in double precision:
    /// G[a, b] = g_a . g_b with g_k = grad(S_k) / tokens[k]. Summed parameter by parameter over column chunks of
    /// at most <see cref="ChunkElements"/> values per task, so the float64 copy never exceeds N x that.
    /// </summary>
    public double[,] Gram(IReadOnlyList<int> tasks, IReadOnlyList<long> tokens)
    {
        int n = _taskCount, k = tasks.Count;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var total = zeros(n, n, ScalarType.Float64, _device);                 // [N, N] of the sums S_k
        foreach (var s in _sums)
        {
            foreach (var chunk in s.split(ChunkElements, 1))
            {
                using var inner = NewDisposeScope();
                var g = chunk.to_type(ScalarType.Float64);                   // [N, chunk]
                total.PlusInPlace(g.mm(g.t()));
            }
        }
        var values = total.cpu().data<double>().ToArray();
        var gram = new double[k, k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
                gram[a, b] = values[tasks[a] * n + tasks[b]] / ((double)tokens[tasks[a]] * tokens[tasks[b]]);
        return gram;
    }

    /// <summary>
    /// Cross products with another buffer over the same parameters, in double precision: X[a, b] = g_a . h_b with
    /// g_a = grad(S_{tasks[a]}) / tokens[tasks[a]] of this buffer and h_b = grad(S'_{otherTasks[b]}) / otherTokens[otherTasks[b]]
    /// of <paramref name="other"/> (online CoTBal's first-order form: training gradients against validation gradients).
    /// </summary>
    public double[,] Cross(TaskGradients other, IReadOnlyList<int> tasks, IReadOnlyList<long> tokens, IReadOnlyList<int> otherTasks, IReadOnlyList<long> otherTokens)
    {
        if (other._parameters.Length != _parameters.Length || other._taskCount != _taskCount)
            throw new ArgumentException("the two buffers must hold the same parameters and task count", nameof(other));
        int n = _taskCount;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var total = zeros(n, n, ScalarType.Float64, _device);                 // [N, N] of S_a . S'_b
        for (int i = 0; i < _sums.Length; i++)
        {
            foreach (var (mine, theirs) in _sums[i].split(ChunkElements, 1).Zip(other._sums[i].split(ChunkElements, 1)))
            {
                using var inner = NewDisposeScope();
                total.PlusInPlace(mine.to_type(ScalarType.Float64).mm(theirs.to_type(ScalarType.Float64).t()));
            }
        }
        var values = total.cpu().data<double>().ToArray();
        var cross = new double[tasks.Count, otherTasks.Count];
        for (int a = 0; a < tasks.Count; a++)
            for (int b = 0; b < otherTasks.Count; b++)
                cross[a, b] = values[tasks[a] * n + otherTasks[b]] / ((double)tokens[tasks[a]] * otherTokens[otherTasks[b]]);
        return cross;
    }

    /// <summary>Columns per chunk when the Gram matrix is computed in double precision.</summary>
    public const long ChunkElements = 1 << 20;

    /// <summary>The gradient of task <paramref name="task"/>'s mean loss for every parameter (copies; for tests).</summary>
    public Tensor[] TaskGradient(int task, long tokens) =>
        _parameters.Select((p, i) => _sums[i][task].DividedBy((float)tokens).reshape(p.shape)).ToArray();

    /// <summary>
    /// Writes d = sum_a coefficients[a] * g_{tasks[a]} into every parameter's .grad (float32), as one [1, N] x [N, numel]
    /// product per parameter on the buffers themselves (absent tasks get coefficient 0).
    /// </summary>
    public void Apply(IReadOnlyList<int> tasks, IReadOnlyList<long> tokens, IReadOnlyList<double> coefficients)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var perTask = new float[_taskCount];
        for (int a = 0; a < tasks.Count; a++) perTask[tasks[a]] = (float)(coefficients[a] / tokens[tasks[a]]);
        var c = tensor(perTask, device: _device).unsqueeze(0);                 // [1, N]
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var direction = c.mm(_sums[i]).reshape(p.shape);                   // [1, numel] -> shape of p
            if (p.grad is null) p.grad = direction.detach().clone().DetachFromDisposeScope(); // owned by the parameter from now on
            else p.grad.copy_(direction);
        }
    }

    public void Dispose()
    {
        foreach (var s in _sums) s.Dispose();
    }
}
