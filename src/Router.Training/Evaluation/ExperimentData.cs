using Router.Core.Arms;
using Router.Core.Embedding;
using Router.Training.Arms;
using Router.Training.Data;
using Router.Training.Embeddings;

namespace Router.Training.Evaluation;

/// <summary>
/// Loads what an experiment needs: the train and test data (or one data set split with a seeded, per-task
/// stratified cut), the arm definitions aligned with the data's arms, and the embeddings of every prompt.
/// </summary>
internal sealed class ExperimentData
{
    public required EvalSet Train { get; init; }

    public required EvalSet Test { get; init; }

    public required string EncoderId { get; init; }

    public required IReadOnlyList<string> Notes { get; init; }

    public static RoutingDataset LoadTrainTest(string[] train, string[] test, string[] data, double testFraction, int seed,
        CancellationToken cancellationToken, out RoutingDataset testSet, List<string> notes)
    {
        if (data.Length > 0)
        {
            if (train.Length > 0 || test.Length > 0)
            {
                throw new ArgumentException("give either --data (split by --test-fraction) or --train and --test, not both");
            }

            if (!(testFraction > 0 && testFraction < 1))
            {
                throw new ArgumentException($"--test-fraction must be in (0, 1) (got {testFraction})");
            }

            var all = DatasetLoader.Load(data, cancellationToken);
            notes.AddRange(all.Notes);
            var (tr, te) = all.Split(testFraction, seed);
            if (tr.Queries.Count == 0 || te.Queries.Count == 0)
            {
                throw new ArgumentException($"--test-fraction {testFraction} of {all.Queries.Count} queries leaves the {(tr.Queries.Count == 0 ? "training" : "test")} split empty (each task's share is rounded); use more data or another fraction");
            }
            notes.Add($"split: {all.Queries.Count} queries of {string.Join(", ", data)}, {testFraction:P0} test per task, seed {seed}");
            testSet = te;
            return tr;
        }

        if (train.Length == 0 || test.Length == 0)
        {
            throw new ArgumentException("give --train and --test, or --data with --test-fraction");
        }

        var trainSet = DatasetLoader.Load(train, cancellationToken);
        var loadedTest = DatasetLoader.Load(test, cancellationToken);
        notes.AddRange(trainSet.Notes.Concat(loadedTest.Notes).Distinct(StringComparer.Ordinal));
        testSet = Align(loadedTest, trainSet.Arms);
        notes.Add(CrossDomainNote(trainSet, testSet, train, test));
        return trainSet;
    }

    /// <summary>Prefix of the note that says whether train and test share a task (the report's <c>cross_domain</c> flag reads it).</summary>
    public const string CrossDomainPrefix = "cross-domain: ";

    /// <summary>
    /// Says whether --train and --test share a task: with no task in common the run is cross-domain (RouteLLM's
    /// protocol of training on one benchmark and testing on another, e.g. MMLU → GSM8K), else a fixed train/test pair.
    /// </summary>
    public static string CrossDomainNote(RoutingDataset train, RoutingDataset test, string[] trainPaths, string[] testPaths)
    {
        var trainTasks = train.Queries.Select(q => q.Task).ToHashSet(StringComparer.Ordinal);
        var shared = test.Queries.Select(q => q.Task).Distinct(StringComparer.Ordinal).Count(trainTasks.Contains);
        return shared == 0
            ? $"{CrossDomainPrefix}yes — trained on {string.Join(", ", trainPaths)}, tested on {string.Join(", ", testPaths)}; no test task appears in training"
            : $"{CrossDomainPrefix}no — trained on {string.Join(", ", trainPaths)}, tested on {string.Join(", ", testPaths)}; {shared} test task(s) also in training";
    }

    /// <summary>Re-orders <paramref name="data"/>'s arms to <paramref name="arms"/>; arms it lacks are missing outcomes, extra arms are an error.</summary>
    public static RoutingDataset Align(RoutingDataset data, IReadOnlyList<string> arms)
    {
        var extra = data.Arms.Where(a => !arms.Contains(a)).ToList();
        if (extra.Count > 0)
        {
            throw new DatasetFormatException($"the test data has arms the training data lacks: {string.Join(", ", extra)}");
        }

        var map = arms.Select(data.ArmIndex).ToArray();
        return new RoutingDataset(arms, data.Queries.Select(q => new DatasetQuery
        {
            Id = q.Id,
            Prompt = q.Prompt,
            Task = q.Task,
            Tags = q.Tags,
            PromptTokens = q.PromptTokens,
            Outcomes = map.Select(m => m >= 0 ? q.Outcomes[m] : null).ToArray(),
        }).ToList());
    }

    public static IReadOnlyList<ArmDefinition> ResolveArms(IReadOnlyList<string> armNames, string? armsPath, List<string> notes)
    {
        var path = ArmsFile.Locate(armsPath);
        var known = path is null ? [] : ArmsFile.Load(path);
        var arms = ArmsFile.Resolve(armNames, known, out var unpriced);
        notes.Add(path is null ? "arms file: none" : $"arms file: {Path.GetRelativePath(Directory.GetCurrentDirectory(), path)}");
        if (unpriced.Count > 0)
        {
            notes.Add($"unpriced arms (default ${ArmsFile.DefaultPrice}/M tokens): {string.Join(", ", unpriced)}");
        }

        return arms;
    }

    public static ExperimentData Create(RoutingDataset train, RoutingDataset test, IReadOnlyList<ArmDefinition> arms, ITextEncoder encoder,
        List<string> notes, CancellationToken cancellationToken)
    {
        var texts = train.Queries.Select(q => q.Prompt).Concat(test.Queries.Select(q => q.Prompt)).ToList();
        var emb = EncoderFactory.EmbedAll(encoder, texts, "prompts", cancellationToken);
        var d = encoder.Dimension;
        var trainEmb = emb.AsSpan(0, train.Queries.Count * d).ToArray();
        var testEmb = emb.AsSpan(train.Queries.Count * d).ToArray();
        var trainSet = EvalSet.Create(train, trainEmb, d, arms);
        var testFull = EvalSet.Create(test, testEmb, d, arms);
        var complete = testFull.CompleteRows();
        if (complete.Length < testFull.N)
        {
            notes.Add($"test rows dropped for a missing arm outcome: {testFull.N - complete.Length}");
        }

        if (complete.Length == 0)
        {
            throw new DatasetFormatException("no test query has an outcome for every arm");
        }

        return new ExperimentData
        {
            Train = trainSet,
            Test = complete.Length == testFull.N ? testFull : testFull.Subset(complete),
            EncoderId = encoder.ModelId,
            Notes = notes,
        };
    }
}
