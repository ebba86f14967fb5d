using CoTBal.Model;
using CoTBal.Training.Data;
using CoTBal.Training.Loss;
using CoTBal.Training.Optimization;
using CoTBal.Training.Schedule;
using CoTBal.Training.Tests.Run;
using CoTBal.Training.Weighting.Gradient;
using static TorchSharp.torch;

namespace CoTBal.Training.Tests.Optimization;

public sealed class TaskGradientsTests
{
    private static IReadOnlyList<CoTBal.Data.Batching.CollatedBatch> Batches(int count)
    {
        var source = (IBatchSource)new SyntheticBackend().PrepareData(null!).Batches;
        return source.EnumerateEpoch(0, 0).Take(count).ToList();
    }

    /// <summary>An aggregator that records the context and returns fixed coefficients.</summary>
    private sealed class Recording(Func<int, double[]> coefficients) : IGradientAggregator
    {
        public GradientContext? Last { get; private set; }
        public string Name => "recording";
        public double[] Combine(GradientContext context) { Last = context; return coefficients(context.TaskCount); }
        public System.Text.Json.Nodes.JsonObject SaveState() => [];
        public void LoadState(System.Text.Json.Nodes.JsonObject state) { }
    }

    /// <summary>grad of task k's mean loss over the micro-batches, by a separate backward pass of that loss alone.</summary>
    private static Dictionary<string, Tensor> SingleTaskGradient(LlavaForCausalLM model, IReadOnlyList<CoTBal.Data.Batching.CollatedBatch> batches, int task)
    {
        foreach (var p in model.parameters()) p.grad?.zero_();
        long tokens = 0;
        var sums = new List<Tensor>();
        foreach (var batch in batches)
        {
            var output = model.Forward(BatchTensors.ToModelInput(batch));
            var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch), 3);
            tokens += losses.Summary.Tokens[task];
            // token-balanced loss with a one-hot weight = the task's mean loss in this batch; times its tokens = its sum
            if (losses.Summary.Present[task])
                sums.Add(TaskWeightedLoss.Combine(losses, [.. Enumerable.Range(0, 3).Select(k => k == task ? 1.0 : 0.0)], LossReduction.TokenBalanced).Times(losses.Summary.Tokens[task]));
        }
        sums.Aggregate((a, b) => a.Plus(b)).DividedBy(tokens).backward();
        return model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad is null ? zeros_like(p.parameter) : p.parameter.grad.clone());
    }

    [Fact]
    public void Per_task_gradients_equal_separate_single_task_backward_passes()
    {
        var batches = Batches(2); // two micro-batches: the gradients are pooled over both
        var model = new LlavaForCausalLM(SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab), seed: 3);
        var reference = new LlavaForCausalLM(SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab), seed: 3);
        var recorder = new Recording(k => new double[k]);
        using var trainer = new Trainer(model, recorder, new CosineSchedule(1e-2, 10, 0), new OptimizerSettings(MaxGradNorm: 0, GradientAccumulation: 2), 3, seed: 1);
        trainer.Step(0, batches, 0); // coefficients 0: the weights do not move, the buffers keep this step's gradients

        var context = recorder.Last!;
        Assert.Equal([0, 1, 2], context.Tasks);
        var names = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToArray();
        var grams = new double[3, 3];
        var expected = new Dictionary<string, Tensor>[3];
        for (int k = 0; k < 3; k++)
        {
            expected[k] = SingleTaskGradient(reference, batches, k);
            long tokens = batches.Sum(b => CountTokens(b, k));
            var actual = trainer.TaskGradients!.TaskGradient(k, tokens);
            for (int i = 0; i < names.Length; i++)
                Assert.True(actual[i].allclose(expected[k][names[i]], rtol: 1e-4, atol: 1e-6),
                    $"task {k}, {names[i]}: max difference {(actual[i] - expected[k][names[i]]).abs().max().item<float>()}");
        }
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                grams[a, b] = names.Sum(n => (expected[a][n].to_type(ScalarType.Float64) * expected[b][n].to_type(ScalarType.Float64)).sum().item<double>());
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                Assert.True(Math.Abs(grams[a, b] - context.Gram[a, b]) <= 1e-4 * Math.Abs(grams[a, a] + grams[b, b]), $"Gram[{a},{b}] {context.Gram[a, b]} vs {grams[a, b]}");
    }

    [Fact]
    public void A_step_reports_the_coefficients_and_the_gradient_norms_and_cosines_of_its_Gram_matrix()
    {
        var batches = Batches(1);
        var model = new LlavaForCausalLM(SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab), seed: 3);
        var recorder = new Recording(k => Enumerable.Repeat(1.0, k).ToArray());
        using var trainer = new Trainer(model, recorder, new CosineSchedule(1e-2, 10, 0), new OptimizerSettings(MaxGradNorm: 0), 3, seed: 1);
        var result = trainer.Step(0, batches, 0);
        Assert.Equal([1.0, 1.0, 1.0], result.TaskWeights);
        Assert.NotNull(result.Gradients);
        var g = result.Gradients!;
        for (int k = 0; k < 3; k++) Assert.Equal(Math.Sqrt(recorder.Last!.Gram[k, k]), g.Norm[k], 12);
        Assert.Equal(recorder.Last!.Gram[0, 1] / Math.Sqrt(recorder.Last.Gram[0, 0] * recorder.Last.Gram[1, 1]), g.Cosine[0, 1], 12);
        Assert.Equal(1.0, g.Cosine[2, 2], 12);
    }

    /// <summary>Answer tokens of task k in a batch after the shift: labels at positions >= 1 that are not ignored.</summary>
    private static long CountTokens(CoTBal.Data.Batching.CollatedBatch b, int task)
    {
        long n = 0;
        for (int r = 0; r < b.BatchSize; r++)
        {
            if (b.TaskIndices[r] != task) continue;
            for (int c = 1; c < b.SequenceLength; c++) if (b.Labels[r * b.SequenceLength + c] != CoTBal.Data.Batching.CollatedBatch.IgnoreIndex) n++;
        }
        return n;
    }

    [Fact]
    public void Cross_products_of_two_buffers_equal_the_dot_products_of_their_task_gradients()
    {
        var batches = Batches(2);
        var model = new LlavaForCausalLM(SyntheticBackend.TinyConfig().WithVocabSize(SyntheticBackend.Vocab), seed: 5);
        var parameters = model.TrainableParameters().ToArray();
        using var first = new TaskGradients(parameters, 3);
        using var second = new TaskGradients(parameters, 3);
        var tokens = new[] { new long[3], new long[3] };
        foreach (var (buffer, batch, t) in new[] { (first, batches[0], tokens[0]), (second, batches[1], tokens[1]) })
        {
            var output = model.Forward(BatchTensors.ToModelInput(batch));
            var losses = TaskWeightedLoss.PerToken(output.Logits, output.Labels, BatchTensors.TaskIndices(batch), 3);
            buffer.Accumulate(TaskWeightedLoss.TaskSums(losses), losses.Summary.Present);
            for (int k = 0; k < 3; k++) t[k] = losses.Summary.Tokens[k];
        }
        int[] tasks = [0, 1, 2];
        var cross = first.Cross(second, tasks, tokens[0], tasks, tokens[1]);
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
            {
                var g = first.TaskGradient(a, tokens[0][a]);
                var h = second.TaskGradient(b, tokens[1][b]);
                double dot = g.Zip(h).Sum(p => p.First.to_type(ScalarType.Float64).mul(p.Second.to_type(ScalarType.Float64)).sum().item<double>());
                Assert.Equal(dot, cross[a, b], 1e-6 * Math.Max(1e-3, Math.Abs(dot)));   // TaskGradient divides in float32
            }
        Assert.Equal(first.Gram(tasks, tokens[0])[1, 2], first.Cross(first, tasks, tokens[0], tasks, tokens[0])[1, 2], 12);
    }
}
