using Router.Core.Embedding;
using Router.Core.Tagging;
using Router.Training.Data;

namespace Router.Training.Tagging;

/// <summary>
/// Where the tag-head's cluster labels come from (MixLLM step 1, DESIGN.md step 4): the data set's labels (task /
/// subject names), the queries' own tags (long JSONL), an InsTag-style tagging model, or k-means clusters of the raw
/// embeddings. The result replaces each query's <see cref="DatasetQuery.Task"/>, which is what the trainer clusters by.
/// </summary>
internal static class TagSource
{
    /// <summary>The source names accepted by <c>router train --tags</c>.</summary>
    public static readonly string[] Names = ["auto", "labels", "tags", "kmeans", "instag"];

    /// <summary>
    /// <c>auto</c>: the queries' own tags when some query has tags beyond its label (loaders tag each query with its
    /// label), else the labels when there are at least two, else k-means.
    /// </summary>
    public static string Resolve(string source, RoutingDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (source != "auto")
        {
            return source;
        }

        if (dataset.Queries.Any(q => q.Tags.Any(t => !string.Equals(t, q.Task, StringComparison.Ordinal))))
        {
            return "tags";
        }

        return dataset.Queries.Select(q => q.Task).Distinct(StringComparer.Ordinal).Take(2).Count() >= 2 ? "labels" : "kmeans";
    }

    /// <summary>The data set with each query's task replaced by its tag cluster (<c>tag-N</c>); labels keep the data set's.</summary>
    public static async Task<RoutingDataset> ApplyAsync(
        string source, RoutingDataset dataset, float[] embeddings, ITextEncoder encoder, int clusters, int seed,
        InsTagClient? tagger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(encoder);
        int[] labels;
        switch (source)
        {
            case "labels":
                return dataset;
            case "kmeans":
                labels = KMeans.Fit(embeddings, encoder.Dimension, Math.Min(clusters, dataset.Queries.Count), seed).Labels;
                break;
            case "tags":
                labels = TagClustering.Labels(dataset.Queries.Select(q => q.Tags).ToList(), encoder, clusters, seed, embeddings);
                break;
            case "instag":
                if (tagger is null)
                {
                    throw new DatasetFormatException("--tags instag needs --tagger-url and --tagger-model (an OpenAI-compatible chat model)");
                }

                var tags = new IReadOnlyList<string>[dataset.Queries.Count];
                await Parallel.ForAsync(0, tags.Length, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
                    async (i, ct) => tags[i] = await tagger.TagAsync(dataset.Queries[i].Prompt, ct));
                labels = TagClustering.Labels(tags, encoder, clusters, seed, embeddings);
                break;
            default:
                throw new DatasetFormatException($"--tags must be one of {string.Join(", ", Names)} (got '{source}')");
        }

        return dataset.WithQueries(dataset.Queries.Select((q, i) => new DatasetQuery
        {
            Id = q.Id,
            Prompt = q.Prompt,
            Task = "tag-" + labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture),
            Tags = q.Tags,
            PromptTokens = q.PromptTokens,
            Outcomes = q.Outcomes,
        }));
    }
}
