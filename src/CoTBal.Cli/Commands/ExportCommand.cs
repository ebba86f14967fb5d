using System.CommandLine;
using CoTBal.Training.Export;

namespace CoTBal.Cli.Commands;

/// <summary>
/// <c>cotbal export</c>: a training checkpoint as a LLaVA or transformers folder (safetensors + config.json +
/// tokenizer) that PyTorch users load (docs/model.md, "Fine-tune your own LLaVA checkpoint").
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "a checkpoint folder written by `cotbal train`", Required = true };
        var output = new Option<string>("--out") { Description = "new folder to write (must not exist or be empty; not inside --checkpoint)", Required = true };
        var format = new Option<string>("--format") { Description = "llava (LlavaLlamaForCausalLM, LLaVA's repository) or hf (transformers' LlavaForConditionalGeneration)", DefaultValueFactory = _ => "llava" };
        format.AcceptOnlyFromAmong("llava", "hf");
        var mergeLora = new Option<bool>("--merge-lora") { Description = "fold LoRA adapters into the base weights (W + alpha/r * B A); required for a LoRA checkpoint" };
        var maxShard = new Option<long>("--max-shard-mb") { Description = "largest safetensors shard in MiB; bigger models are sharded with model.safetensors.index.json", DefaultValueFactory = _ => 5120 };
        var imageToken = new Option<int?>("--image-token-index") { Description = "hf only: vocabulary id of the <image> token (default 32000 when the vocabulary is larger, else the last id)" };

        var command = new Command("export", "Write a training checkpoint as a LLaVA or Hugging Face model folder (safetensors, config.json, tokenizer).");
        foreach (var o in new Option[] { checkpoint, output, format, mergeLora, maxShard, imageToken }) command.Options.Add(o);
        command.SetAction((parse, ct) => CommandRunner.Run(ct, run =>
        {
            var checkpointDir = run.InputFolder("--checkpoint", parse.GetValue(checkpoint)!);
            var outDir = run.OutputFolder("--out", parse.GetValue(output)!);   // refuses a folder that holds the checkpoint
            var megabytes = parse.GetValue(maxShard);
            if (megabytes <= 0 || megabytes > long.MaxValue >> 20) throw new Core.CoTBalInputException($"--max-shard-mb must be > 0 (and a size in MiB), got {megabytes}");
            if (parse.GetValue(format) != "hf" && parse.GetValue(imageToken) is not null) throw new Core.CoTBalInputException("--image-token-index applies to --format hf only");
            run.ThrowIfCancelled();
            var path = ModelExport.Run(new ExportOptions(
                checkpointDir,
                outDir,
                parse.GetValue(format) == "hf" ? ExportFormat.Hf : ExportFormat.Llava,
                parse.GetValue(mergeLora),
                megabytes * 1024 * 1024,
                parse.GetValue(imageToken)));
            Console.WriteLine($"exported: {path}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
