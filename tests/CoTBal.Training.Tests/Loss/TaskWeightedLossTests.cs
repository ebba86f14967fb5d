using CoTBal.Model;
using CoTBal.Training.Loss;
using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Training.Tests.Loss;

public sealed class TaskWeightedLossTests
{
    // Cross-entropy of a 2-way logit pair [a, 0] with label 0 is ln(1 + e^-a); [0, 0] gives ln 2.
    private static double Ce(double margin) => Math.Log(1 + Math.Exp(-margin));

    // Three rows, T = 3, V = 2, N = 3 tasks (task 1 absent). After the shift logits[:, t] predict labels[:, t+1].
    //   row 0, task 0: labels [-100, 1, 0]    -> pos 0 logits [0, 0] label 1: ln 2 ; pos 1 logits [2, 0] label 0: Ce(2)
    //   row 1, task 2: labels [-100, -100, 1] -> pos 1 logits [0, 1] label 1: Ce(1)
    //   row 2, task 0: labels [-100, 0, -100] -> pos 0 logits [3, 0] label 0: Ce(3)
    private static (Tensor Logits, Tensor Labels, Tensor Tasks) ConstructedBatch(bool requiresGrad = false)
    {
        var logits = tensor(new float[]
        {
            0, 0,  2, 0,  9, 9,
            5, 5,  0, 1,  9, 9,
            3, 0,  7, 7,  9, 9,
        }).reshape(3, 3, 2);
        if (requiresGrad) logits.requires_grad_(true);
        var labels = tensor(new long[] { -100, 1, 0, -100, -100, 1, -100, 0, -100 }).reshape(3, 3);
        var tasks = tensor(new long[] { 0, 2, 0 });
        return (logits, labels, tasks);
    }

    [Fact]
    public void Token_balanced_loss_equals_the_hand_computation()
    {
        var (logits, labels, tasks) = ConstructedBatch();
        var losses = TaskWeightedLoss.PerToken(logits, labels, tasks, taskCount: 3);
        var weights = new[] { 2.0, 5.0, 0.5 };

        var loss = TaskWeightedLoss.Combine(losses, weights, LossReduction.TokenBalanced).item<float>();

        double expected = (2 * (Math.Log(2) + Ce(2) + Ce(3)) + 0.5 * Ce(1)) / (2 * 3 + 0.5 * 1);
        Assert.Equal(expected, loss, 5);
    }

    [Fact]
    public void With_all_weights_one_token_balancing_is_the_plain_token_mean()
    {
        var (logits, labels, tasks) = ConstructedBatch();
        var losses = TaskWeightedLoss.PerToken(logits, labels, tasks, taskCount: 3);

        var loss = TaskWeightedLoss.Combine(losses, [1.0, 1.0, 1.0], LossReduction.TokenBalanced).item<float>();
        var reference = nn.functional.cross_entropy(logits[.., ..^1, ..].reshape(-1, 2), labels[.., 1..].reshape(-1), ignore_index: -100).item<float>();

        Assert.Equal((Math.Log(2) + Ce(2) + Ce(3) + Ce(1)) / 4, loss, 5);
        Assert.Equal(reference, loss, 6);
    }

    [Fact]
    public void Task_balanced_loss_averages_the_present_tasks_only()
    {
        var (logits, labels, tasks) = ConstructedBatch();
        var losses = TaskWeightedLoss.PerToken(logits, labels, tasks, taskCount: 3);
        var weights = new[] { 2.0, 5.0, 0.5 };

        var loss = TaskWeightedLoss.Combine(losses, weights, LossReduction.TaskBalanced).item<float>();

        double m0 = (Math.Log(2) + Ce(2) + Ce(3)) / 3, m2 = Ce(1);
        Assert.Equal((2 * m0 + 0.5 * m2) / 2.5, loss, 5); // task 1 (weight 5) is absent: not in the denominator
    }

    [Fact]
    public void Summary_holds_per_task_means_presence_and_token_counts()
    {
        var (logits, labels, tasks) = ConstructedBatch();
        var s = TaskWeightedLoss.PerToken(logits, labels, tasks, taskCount: 3).Summary;

        Assert.Equal([true, false, true], s.Present);
        Assert.Equal([3L, 0L, 1L], s.Tokens);
        Assert.Equal((Math.Log(2) + Ce(2) + Ce(3)) / 3, s.Mean[0], 6);
        Assert.Equal(0.0, s.Mean[1]);
        Assert.Equal(Ce(1), s.Mean[2], 6);
    }

    [Fact]
    public void Gradient_of_token_balanced_loss_is_weighted_by_task()
    {
        var (logits, labels, tasks) = ConstructedBatch(requiresGrad: true);
        var losses = TaskWeightedLoss.PerToken(logits, labels, tasks, taskCount: 3);
        TaskWeightedLoss.Combine(losses, [2.0, 1.0, 0.5], LossReduction.TokenBalanced).backward();
        var g = logits.grad!;

        // d/da of Ce at logits [a, 0], label 0: -(1 - softmax_0) = -1/(1 + e^a); scaled by w / sum(w * mask) = 2 / 6.5
        Assert.Equal(-(2 / 6.5) / (1 + Math.Exp(2)), g[0, 1, 0].item<float>(), 6);
        // ignored positions (the last of every row, and row 2's second) get no gradient
        Assert.Equal(0f, g[0, 2, 0].item<float>());
        Assert.Equal(0f, g[2, 1, 0].item<float>());
    }

    [Fact]
    public void A_batch_without_answer_tokens_gives_zero_loss_not_NaN()
    {
        var logits = randn(2, 3, 4, requires_grad: true);
        var labels = TensorOps.Full([2, 3], -100L, ScalarType.Int64);

        foreach (var reduction in new[] { LossReduction.TokenBalanced, LossReduction.TaskBalanced })
        {
            var losses = TaskWeightedLoss.PerToken(logits, labels, tensor(new long[] { 0, 1 }), 2);
            var loss = TaskWeightedLoss.Combine(losses, [1.0, 1.0], reduction);
            Assert.Equal(0f, loss.item<float>());
            loss.backward();
        }
    }

    [Fact]
    public void Negative_or_non_finite_weights_are_rejected()
    {
        var (logits, labels, tasks) = ConstructedBatch();
        var losses = TaskWeightedLoss.PerToken(logits, labels, tasks, taskCount: 3);
        Assert.Throws<Core.CoTBalInputException>(() => TaskWeightedLoss.Combine(losses, [1.0, double.NaN, 1.0], LossReduction.TokenBalanced));
        Assert.Throws<Core.CoTBalInputException>(() => TaskWeightedLoss.Combine(losses, [1.0, -1.0, 1.0], LossReduction.TokenBalanced));
    }
}
