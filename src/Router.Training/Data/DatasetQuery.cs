namespace Router.Training.Data;

/// <summary>One query of a data set with the outcome of every arm that answered it.</summary>
public sealed class DatasetQuery
{
    /// <summary>Identifier, unique within the data set (a repeated source id gets a <c>#n</c> suffix).</summary>
    public required string Id { get; init; }

    /// <summary>The query text the router sees.</summary>
    public required string Prompt { get; init; }

    /// <summary>The task the query comes from (RouterBench <c>eval_name</c>, MMLU subject, file name); AIQ is reported per task.</summary>
    public required string Task { get; init; }

    /// <summary>Tags from the data set's labels (task, subject); the tag head clusters them.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Prompt tokens (cl100k) of <see cref="Prompt"/>.</summary>
    public int PromptTokens { get; init; }

    /// <summary>One entry per arm of the data set, in <see cref="RoutingDataset.Arms"/> order; null where the arm has no usable outcome.</summary>
    public required ArmOutcome?[] Outcomes { get; init; }
}
