using System.Text.Json;
using System.Text.Json.Serialization;
using CoTBal.Core;
using CoTBal.Core.Statistics;

namespace CoTBal.Pipeline.Stages;

/// <summary>A model's test score on a task against the task's chance level: the paired difference and whether it learned.</summary>
/// <param name="Learned">False ("did not learn") when the 95% interval of score minus chance does not lie above 0.</param>
public sealed record ChanceCheck(
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("minus_chance")] ConfidenceInterval MinusChance,
    [property: JsonPropertyName("learned")] bool Learned);

/// <summary>
/// One task's chance level and every model against it. <see cref="Score"/> is the level the models are checked against:
/// the stronger of the constant answer (<see cref="Answer"/>, scoring <see cref="ConstantScore"/>) and the question
/// prior (<see cref="QuestionPrior"/>); <see cref="ChanceLevel"/> defines both.
/// </summary>
public sealed record TaskChance(
    [property: JsonPropertyName("answer")] string Answer,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("models")] IReadOnlyDictionary<string, ChanceCheck> Models)
{
    /// <summary>The constant answer's score (equal to <see cref="Score"/> unless the question prior scores higher).</summary>
    [JsonPropertyName("constant_score")] public double? ConstantScore { get; init; }

    /// <summary>The question prior's score; null in files written before it existed.</summary>
    [JsonPropertyName("question_prior")] public QuestionPriorChance? QuestionPrior { get; init; }

    /// <summary>True when the level is the question prior's (it scored above the constant answer).</summary>
    [JsonIgnore] public bool FromQuestionPrior => QuestionPrior is { } q && q.Score > (ConstantScore ?? Score);
}

/// <summary>The question prior of a task: its score on the test items and the share of them whose question training asks.</summary>
public sealed record QuestionPriorChance(
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("questions_seen")] double QuestionsSeen);

/// <summary>
/// RUN/uncertainty.json: the paired bootstrap of every method's dI/dE (and its difference from EW) over test
/// items and seeds, and every task's chance level. Null bootstrap when no task has a defined relative change.
/// A function of the answers and the seed only (its wall time is in the compare job's state.json).
/// </summary>
public sealed record Uncertainty(
    [property: JsonPropertyName("bootstrap")] PairedBootstrapResult? Bootstrap,
    [property: JsonPropertyName("chance")] IReadOnlyDictionary<string, TaskChance> Chance)
{
    public const string FileName = "uncertainty.json";

    /// <summary>Why there is no bootstrap, when there is none.</summary>
    [JsonPropertyName("note")] public string? Note { get; init; }

    public static Uncertainty Read(RunDirectory run)
    {
        var path = Path.Combine(run.Path, FileName);
        if (!File.Exists(path)) throw new CoTBalInputException($"{path}: missing; re-run job 'compare'");
        return JsonSerializer.Deserialize<Uncertainty>(File.ReadAllText(path), ResultsStage.Json)
            ?? throw new CoTBalInputException($"{path}: empty");
    }
}
