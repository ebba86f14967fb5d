using CoTBal.Model.Config;
using CoTBal.Model.Language;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

public sealed class LanguageModuleTests
{
    [Fact]
    public void RmsNormMatchesHandComputation()
    {
        using var scope = NewDisposeScope();
        using var norm = new LlamaRmsNorm(2, 0.0, "norm");
        // rms([3, 4]) = sqrt((9 + 16) / 2) = 3.5355339
        var y = norm.forward(tensor(new float[] { 3, 4 }).view(1, 2)).data<float>().ToArray();
        Assert.Equal(3 / 3.5355339f, y[0], 5);
        Assert.Equal(4 / 3.5355339f, y[1], 5);
    }

    [Fact]
    public void RotaryIsIdentityAtZeroAndRotatesPairsByPositionTimesFrequency()
    {
        using var scope = NewDisposeScope();
        using var rope = new LlamaRotaryEmbedding(new LlamaConfig { HiddenSize = 4, IntermediateSize = 4, NumHiddenLayers = 1, NumAttentionHeads = 1, RopeTheta = 100 });
        // hd = 4: inv_freq = [1, 100^(-1/2) = 0.1]; pairs are (x0, x2) and (x1, x3)
        var (cos, sin) = rope.forward(tensor(new long[] { 0, 3 }).view(1, 2));
        var x = tensor(new float[] { 1, 0, 0, 0, 1, 0, 0, 0 }).view(1, 1, 2, 4);
        var y = LlamaRotaryEmbedding.Apply(x, cos, sin);
        Assert.Equal([1f, 0, 0, 0], y[0, 0, 0].data<float>().ToArray());
        var at3 = y[0, 0, 1].data<float>().ToArray();
        Assert.Equal(MathF.Cos(3f), at3[0], 5); // x0' = x0 cos(3·1) - x2 sin(3·1)
        Assert.Equal(MathF.Sin(3f), at3[2], 5); // x2' = x2 cos + x0 sin
        Assert.Equal(0f, at3[1], 5);
    }

    [Fact]
    public void RotaryDotProductDependsOnlyOnRelativePosition()
    {
        using var scope = NewDisposeScope();
        using var rope = new LlamaRotaryEmbedding(new LlamaConfig { HiddenSize = 8, IntermediateSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 1 });
        using var g = new Generator(3);
        var q = randn([1, 1, 1, 8], generator: g);
        var k = randn([1, 1, 1, 8], generator: g);
        float Dot(long m, long n)
        {
            var (cq, sq) = rope.forward(tensor(new[] { m }).view(1, 1));
            var (ck, sk) = rope.forward(tensor(new[] { n }).view(1, 1));
            return (LlamaRotaryEmbedding.Apply(q, cq, sq) * LlamaRotaryEmbedding.Apply(k, ck, sk)).sum().item<float>();
        }
        Assert.Equal(Dot(5, 2), Dot(13, 10), 4);
        Assert.NotEqual(Dot(5, 2), Dot(5, 3), 3);
    }

    [Fact]
    public void RepeatKvRepeatsEachHeadForItsQueryGroup()
    {
        using var scope = NewDisposeScope();
        var kv = tensor(new float[] { 1, 2 }).view(1, 2, 1, 1);            // [B=1, KVH=2, S=1, hd=1]
        var r = LlamaAttention.RepeatKv(kv, 3).flatten().data<float>().ToArray();
        Assert.Equal([1f, 1, 1, 2, 2, 2], r);                               // query heads 0-2 share kv head 0
    }

    [Fact]
    public void AttentionPlanMasksLeftPadsAndFuture()
    {
        using var scope = NewDisposeScope();
        var keyMask = tensor(new[] { false, true, true }).view(1, 3);
        var plan = AttentionPlan.Create(keyMask, 3);
        Assert.False(plan.IsCausal);
        var m = plan.Mask!.flatten().data<bool>().ToArray();
        // query 0 (a pad) sees only itself; query 1 sees key 1; query 2 sees keys 1, 2
        Assert.Equal([true, false, false, false, true, false, false, true, true], m);

        Assert.True(AttentionPlan.Create(ones(2, 4, ScalarType.Bool), 4).IsCausal);
        var rightPadded = tensor(new[] { true, true, false, true, true, true }).view(2, 3);
        Assert.True(AttentionPlan.Create(rightPadded, 3) is { IsCausal: true, Mask: null });
        var decodeStep = AttentionPlan.Create(ones(2, 5, ScalarType.Bool), 1);
        Assert.True(decodeStep is { IsCausal: false, Mask: null });
    }

    [Fact]
    public void SdpaWithPlanMatchesExplicitSoftmaxAttention()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        var q = randn([1, 1, 3, 4], generator: g);
        var k = randn([1, 1, 3, 4], generator: g);
        var v = randn([1, 1, 3, 4], generator: g);
        var plan = AttentionPlan.Create(tensor(new[] { false, true, true }).view(1, 3), 3);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, plan.Mask, 0.0, plan.IsCausal);
        // by hand for query 2: softmax over keys 1, 2 only
        var scores = (q[0, 0, 2] * k[0, 0, 1..]).sum(-1).DividedBy(2.0);     // [2], scale 1/sqrt(4)
        var expected = (softmax(scores, 0).unsqueeze(1) * v[0, 0, 1..]).sum(0L); // 0L: a bare 0 binds to sum(ScalarType)
        Assert.True(TestModels.MaxAbsDiff(y[0, 0, 2], expected) < 1e-5);
        Assert.True(TestModels.MaxAbsDiff(y[0, 0, 0], v[0, 0, 0]) < 1e-6); // a pad query attends to itself only
    }
}
