using System.Diagnostics;
using System.Globalization;
using Router.Core.Embedding;

using Router.Training.Prediction;
using Router.Training.Verification;

namespace Router.Training.Evaluation;

/// <summary><c>router evaluate</c> end to end: load, embed, fit every policy, sweep λ, write the report.</summary>
internal static class EvaluationPipeline
{
    public static EvaluationReport Run(EvaluateOptions o, ITextEncoder encoder, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var notes = new List<string>();
        var train = ExperimentData.LoadTrainTest(o.Train, o.Test, o.Data, o.TestFraction, o.Seed, cancellationToken, out var test, notes);
        var arms = ExperimentData.ResolveArms(train.Arms, o.ArmsFile, notes);
        if (o.Cascades.Length > 0)
        {
            var specs = o.Cascades.Select(c => Cascades.CascadeSpec.Parse(c, train.Arms)).ToList();
            // The test set's arms are the training set's, in the same order (split, or aligned by LoadTrainTest).
            (test, _) = Cascades.CascadeArms.Add(test, arms, specs);
            (train, arms) = Cascades.CascadeArms.Add(train, arms, specs);
            notes.Add("cascade arms (virtual, from the recorded responses): " + string.Join(", ", specs.Select(s => s.Name)));
        }

        var data = ExperimentData.Create(train, test, arms, encoder, notes, cancellationToken);
        var reference = ReferenceArm(data, o.ReferenceArm);
        var policies = PolicyCatalog.Create(train.Arms, o.Policies, o.MixLlm, o.TimeLimit is not null, o.Seed, o.MlpEpochs, o.RevealedFractions);
        if (policies.OfType<CascadePolicy>().Any())
        {
            var verified = VerifierTraining.VerifiedArms(data.Train);
            if (VerifierTraining.HasResponses(data.Train, verified) && VerifierTraining.HasResponses(data.Test, verified))
            {
                VerifierTraining.EmbedAnswers(data.Train, verified, encoder, cancellationToken);
                VerifierTraining.EmbedAnswers(data.Test, verified, encoder, cancellationToken);
                notes.Add("cascade: verifier trained on the training rows' recorded answers of " + string.Join(", ", verified.Select(a => data.Train.Data.Arms[a]))
                    + "; escalate when λ·(q̂_esc − p) > ĉ_esc/c_ref; both calls billed; left out of the time-limited run");
            }
            else
            {
                policies.RemoveAll(p => p is CascadePolicy);
                notes.Add("cascade policies left out: the train or test data has no recorded responses of the arms below the dearest");
            }
        }

        EvaluationRunner.Prepare(data.Train, data.Test, policies, cancellationToken);
        var lambdas = EvaluationRunner.DefaultLambdas;
        var results = EvaluationRunner.Run(data.Test, policies, lambdas, null, cancellationToken);
        var (reports, refQ, refC, maxCost) = ReportBuilder.Build(data.Test, reference, results);
        TimeLimitedReport? limited = null;
        if (o.TimeLimit is { } limit)
        {
            var constraint = new TimeConstraint(limit, o.ArrivalRate, o.Seed);
            // The task-oracle bounds ignore queues, so under a time limit they would bound nothing: left out there.
            var constrained = EvaluationRunner.Run(data.Test, policies.Where(p => p is not TaskOracleBound && p.SupportsQueues).ToList(), lambdas, constraint, cancellationToken);
            var (cReports, cq, cc, cMax) = ReportBuilder.Build(data.Test, reference, constrained);

            // Percentages stay relative to the unconstrained reference so both halves read on one scale.
            cReports = cReports.Select(p => p with
            {
                Points = p.Points.Select(x => x with
                {
                    QualityPctOfReference = 100 * x.Quality / refQ,
                    CostPctOfReference = 100 * x.Cost / refC,
                }).ToList(),
            }).ToList();
            limited = new TimeLimitedReport
            {
                TimeLimitSeconds = limit,
                ArrivalRatePerSecond = o.ArrivalRate,
                ReferenceQuality = cq,
                ReferenceCost = cc,
                MaxCost = cMax,
                Policies = cReports,
            };
        }

        var settings = new Dictionary<string, string>
        {
            ["mixllm"] = (o.MixLlm.UseCoreEngine ? "core MixLlmEngine alone, as the gateway runs it from a `router train` checkpoint (tag head trained on the task labels, per-arm ridge/LinUCB on its output; no label at decision time)" : "interim ridge on [embedding; inferred-task one-hot]")
                + $"; alpha={o.MixLlm.Alpha}",
            ["mixllm+knn"] = $"harness only (not in the gateway): mixllm's quality blended with a kNN mean over the same inferred task: knn_weight={o.MixLlm.KnnWeight}, knn_k={o.MixLlm.KnnK}",
            ["task-oracle"] = "a bound, not a router: per task, every arm's mean quality and cost on the test set (the best a router that knows each query's task and nothing else can do); task-oracle+reveal=F also knows every arm's outcome on a seeded fraction F of the test queries",
            ["task inference"] = string.Create(CultureInfo.InvariantCulture, $"nearest training-task centroid of the embedding; accuracy on the test queries {100 * TaskInference.Fit(data.Train).Accuracy(data.Test):0.00}% (labels are used in training only)"),
            ["lambda grid"] = $"{lambdas.Count} values, 0 and 10^-2..10^5 log-spaced (50 per decade), repeated points folded; score = λ·q̂ − ĉ/c_ref (c_ref = mean training cost per query of the dearest arm)",
        };
        foreach (var c in policies.OfType<CascadePolicy>())
        {
            settings[$"verifier of {c.Name}"] = string.Create(CultureInfo.InvariantCulture, $"ROC AUC on the test rows' recorded answers {c.HeldOutAuc:0.0000} (0.5 = no skill)");
        }

        for (var i = 0; i < data.Notes.Count; i++)
        {
            settings[$"note {i + 1}"] = data.Notes[i];
        }

        settings["run time"] = string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:0.0} s");
        return new EvaluationReport
        {
            ReferenceArm = data.Test.Data.Arms[reference],
            TestQueries = data.Test.N,
            TrainQueries = data.Train.N,
            ReferenceQuality = refQ,
            ReferenceCost = refC,
            MaxCost = maxCost,
            Seed = o.Seed,
            Encoder = data.EncoderId,
            Tasks = data.Test.Tasks.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Arms = data.Test.Data.Arms,
            PgrPair = ReportBuilder.PgrPairOf(data.Test, reference, results),
            CrossDomain = notes.Any(n => n.StartsWith(ExperimentData.CrossDomainPrefix + "yes", StringComparison.Ordinal)),
            Policies = reports,
            TimeLimited = limited,
            Settings = settings,
        };
    }

    /// <summary>The named arm; else gpt-4-1106-preview when present; else the arm with the best mean test quality.</summary>
    public static int ReferenceArm(ExperimentData data, string? name)
    {
        var arms = data.Test.Data.Arms;
        if (name is not null)
        {
            var i = data.Test.Data.ArmIndex(name);
            return i >= 0 ? i : throw new ArgumentException($"--reference-arm '{name}' is not an arm of the data (arms: {string.Join(", ", arms)})");
        }

        var gpt4 = data.Test.Data.ArmIndex("gpt-4-1106-preview");
        return gpt4 >= 0 ? gpt4 : Enumerable.Range(0, arms.Count).MaxBy(a => data.Test.ColumnMean(data.Test.Quality, a));
    }
}
