namespace CoTBal.Training;

/// <summary>
/// Where a training run gets its data and model. <see cref="LlavaTrainingBackend"/> is the real one (the
/// LLaVA reader and loader, <c>LlavaForCausalLM</c>); tests plug in tiny stand-ins.
/// </summary>
public interface ITrainingBackend
{
    /// <summary>Reads and tokenises the data; fixes the task order.</summary>
    PreparedData PrepareData(TrainingOptions options);

    /// <summary>Builds the model, initialised from <see cref="TrainingOptions.Seed"/> (equal seeds, equal models).</summary>
    TrainableModel CreateModel(TrainingOptions options, PreparedData data);
}
