using BenchmarkDotNet.Attributes;
using CoTBal.Data;
using CoTBal.Data.Benchmark;
using CoTBal.Data.Images;
using CoTBal.Data.Templates;
using CoTBal.Data.Text;

namespace CoTBal.Bench;

/// <summary>
/// Hot paths of the data layer on the tiny shapes benchmark: tokenising one vicuna_v1 sample, decoding + normalising
/// one 32x32 PNG, collating one training batch of 16 (which decodes its images).
/// Run: <c>dotnet run -c Release --project bench/CoTBal.Bench -- --filter '*DataMicro*'</c>.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class DataMicroBenchmarks
{
    private string _dir = "";
    private ITextTokenizer _tokenizer = null!;
    private LlavaSample _caption = null!;
    private byte[] _png = [];
    private float[] _pixels = [];
    private ImageProcessor _processor = null!;
    private BatchLoader _loader = null!;
    private readonly VicunaV1Template _template = new();

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "cotbal-bdn-data-" + Guid.NewGuid().ToString("N"));
        var manifest = BenchmarkGenerator.Generate(_dir, new BenchmarkOptions { Size = BenchmarkSize.Tiny });
        _tokenizer = TokenizerFactory.Load(Path.Combine(_dir, manifest.Tokenizer));
        _caption = LlavaDataReader.Read(Path.Combine(_dir, "caption_train.json"), LlavaReadOptions.Default).First();
        _png = File.ReadAllBytes(Path.Combine(_dir, _caption.ImagePath!));
        _processor = new ImageProcessor(ImageOptions.Default);
        _pixels = new float[_processor.PixelCount];
        var dataset = InstructionDataset.Load([Path.Combine(_dir, manifest.Mixtures.Train.File)], new DatasetOptions
        {
            Tokenizer = _tokenizer,
            Tasks = manifest.TaskNames,
            ImageTokenCount = 16,
        });
        _loader = new BatchLoader(dataset, new BatchLoaderOptions { BatchSize = 16, PrefetchBatches = 0 });
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark]
    public int TokenizeVicunaSample() => _template.Tokenize(_caption, _tokenizer).Length;

    [Benchmark]
    public float DecodeNormalisePng32()
    {
        _processor.Process(_png, "bench", _pixels);
        return _pixels[0];
    }

    [Benchmark]
    public int CollateTrainingBatch16() => _loader.EnumerateEpoch(0).First().SequenceLength;
}
