namespace CoTBal.Data;

/// <summary>
/// How <see cref="LlavaDataReader"/> resolves each sample's task and which checks it runs.
/// Task resolution order: the sample's <c>"task"</c> field; <see cref="TaskById"/>; <see cref="TaskByImageFolder"/>
/// (the first folder of the image path, e.g. "coco" for "coco/train2017/x.jpg"); <see cref="TextOnlyTask"/> for
/// samples without an image; <see cref="DefaultTask"/>. A sample that resolves to no task is an error naming it.
/// </summary>
public sealed record LlavaReadOptions
{
    public IReadOnlyDictionary<string, string>? TaskById { get; init; }
    public IReadOnlyDictionary<string, string>? TaskByImageFolder { get; init; }
    public string? TextOnlyTask { get; init; }
    public string? DefaultTask { get; init; }

    /// <summary>When set, a task outside this list is an error naming the sample and the task.</summary>
    public IReadOnlyCollection<string>? AllowedTasks { get; init; }

    /// <summary>Validate the conversation shape (alternating human/gpt, ending with gpt, placeholder rules). Default true.</summary>
    public bool Validate { get; init; } = true;

    public static LlavaReadOptions Default { get; } = new();
}
