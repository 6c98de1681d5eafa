using Router.Core.Personalisation;
using Router.Training.Evaluation;
using Router.Training.Prediction;

namespace Router.Training.Simulation;

/// <summary>
/// <c>router simulate --personas</c>: simulated users with stated reward functions (<see cref="Persona"/>) send
/// queries and feedback over time to one shared engine, as gateway users do. The training rows are cut into an
/// offline half (the shared engine's start, trained on correctness) and an online pool the users draw their queries
/// from; each feedback trains the shared engine (score clamped to [0, 1]) and, in the personal variants, the user's
/// cells of a <see cref="PersonalPreferenceModel"/> (residual = reward − p̂ of the served arm). Every variant sees the
/// same users drawing the same queries. At checkpoints every user routes the held-out test set (full information)
/// with their personal terms and scores it with their persona's reward; the mean per persona is the figure.
/// Then fresh users of every persona give <see cref="PersonaSimulationOptions.NewUserRatings"/> ratings each and are
/// scored the same way (the "new user" case).
/// </summary>
internal sealed class PersonaSimulator
{
    private readonly EvalSet _train;
    private readonly EvalSet _test;
    private readonly int _reference;
    private readonly PolicyCatalog.MixLlmSettings _settings;
    private readonly PersonaSimulationOptions _options;
    private readonly double _costReference;

    public PersonaSimulator(EvalSet train, EvalSet test, int reference, PolicyCatalog.MixLlmSettings settings, PersonaSimulationOptions options)
    {
        _train = train;
        _test = test;
        _reference = reference;
        _settings = settings;
        _options = options;
        _costReference = ScoredPolicy.CostReferenceOf(train);
        ReferenceCost = Enumerable.Range(0, test.N).Average(i => test.Cost[(i * test.K) + reference]);
    }

    /// <summary>Mean cost per test query of the reference arm.</summary>
    public double ReferenceCost { get; }

    /// <summary>The operating λ of the last run.</summary>
    public double Lambda { get; private set; }

    /// <summary>Runs one variant: null mode = the shared model only.</summary>
    public PersonaVariantResult Run(string name, PersonalisationMode? mode, CancellationToken cancellationToken)
    {
        var (offline, online) = Cut();
        var predictor = (CoreEnginePredictor)_settings.Predictor();
        predictor.Fit(_train.Subset(offline), null, cancellationToken);
        var pool = _train.Subset(online);
        Lambda = OperatingLambda(predictor, pool);
        var personal = mode is { } m ? new PersonalPreferenceModel(_options.Personalisation with { Mode = m }) : null;
        var users = Users("u", _options.UsersPerPersona);
        var curve = new List<PersonaCheckpoint>();
        var order = new Random(_options.Seed);
        var draws = users.Select((_, u) => new Random(unchecked((_options.Seed * 7919) + u + 1))).ToArray();
        for (var step = 0; step <= _options.EventsPerUser; step++)
        {
            if (step % _options.CheckpointEvery == 0 || step == _options.EventsPerUser)
            {
                curve.Add(new PersonaCheckpoint(step, Evaluate(predictor, personal, users)));
            }

            if (step == _options.EventsPerUser)
            {
                break;
            }

            var turn = Enumerable.Range(0, users.Count).ToArray();
            order.Shuffle(turn);
            foreach (var u in turn)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Rate(predictor, personal, pool, users[u], draws[u]);
            }
        }

        // New users: a few ratings each, after everyone else's 300.
        var fresh = Users("new", _options.UsersPerPersona);
        var freshDraws = fresh.Select((_, u) => new Random(unchecked((_options.Seed * 7919) + 100_000 + u))).ToArray();
        for (var r = 0; r < _options.NewUserRatings; r++)
        {
            for (var u = 0; u < fresh.Count; u++)
            {
                Rate(predictor, personal, pool, fresh[u], freshDraws[u]);
            }
        }

        return new PersonaVariantResult(name, curve, Evaluate(predictor, personal, fresh), personal?.Kappa);
    }

    private List<SimulatedUser> Users(string prefix, int perPersona) =>
        [.. Persona.All.SelectMany(p => Enumerable.Range(0, perPersona).Select(j => new SimulatedUser($"{prefix}-{p.Name}-{j}", p)))];

    // One query from the user's stream, routed with their personal terms, and its feedback.
    private void Rate(CoreEnginePredictor predictor, PersonalPreferenceModel? personal, EvalSet pool, SimulatedUser user, Random draw)
    {
        var k = pool.K;
        Span<double> quality = stackalloc double[k];
        Span<double> length = stackalloc double[k];
        Span<double> bonus = stackalloc double[k];
        Span<double> feedback = stackalloc double[k];
        Span<double> terms = stackalloc double[k];
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var i = draw.Next(pool.N);
            predictor.Predict(pool, i, quality, length, bonus);
            predictor.FeedbackTerms(pool, i, feedback);
            PersonalTerms(personal, user.Id, pool, quality, length, terms);
            var a = Argmax(pool, i, quality, length, bonus, feedback, terms);
            var reward = user.Persona.Reward(pool, i, a);
            if (double.IsNaN(reward))
            {
                continue; // no recorded outcome for this pair: the user could not have rated it; draw again
            }

            Span<double> features = stackalloc double[PersonalFeatures.Count];
            PersonalFeatures.Write(quality[a], length[a], features);
            personal?.Observe(user.Id, pool.Arms[a].Name, reward - quality[a], features);
            predictor.Observe(pool, i, a, Math.Clamp(reward, 0, 1), pool.CompletionTokens[(i * k) + a]);
            return;
        }
    }

    // As MixLlmRouter does: the features of every arm's shared prediction for this query, then the user's terms.
    private static void PersonalTerms(PersonalPreferenceModel? personal, string user, EvalSet set, ReadOnlySpan<double> quality, ReadOnlySpan<double> length, Span<double> terms)
    {
        terms.Clear();
        if (personal is null)
        {
            return;
        }

        Span<double> features = stackalloc double[set.K * PersonalFeatures.Count];
        for (var a = 0; a < set.K; a++)
        {
            PersonalFeatures.Write(quality[a], length[a], features.Slice(a * PersonalFeatures.Count, PersonalFeatures.Count));
        }

        personal.Terms(user, set.Arms.Select(a => a.Name).ToList(), features, terms);
    }

    // Per persona: mean reward and mean cost over every user of it routing the whole test set.
    private Dictionary<string, PersonaScore> Evaluate(CoreEnginePredictor predictor, PersonalPreferenceModel? personal, List<SimulatedUser> users)
    {
        var k = _test.K;
        var quality = new double[_test.N * k];
        var length = new double[_test.N * k];
        var bonus = new double[_test.N * k];
        var feedback = new double[_test.N * k];
        for (var i = 0; i < _test.N; i++)
        {
            predictor.Predict(_test, i, quality.AsSpan(i * k, k), length.AsSpan(i * k, k), bonus.AsSpan(i * k, k));
            predictor.FeedbackTerms(_test, i, feedback.AsSpan(i * k, k));
        }

        var result = new Dictionary<string, PersonaScore>(StringComparer.Ordinal);
        var terms = new double[k];
        foreach (var group in users.GroupBy(u => u.Persona))
        {
            double reward = 0, cost = 0;
            var count = 0;
            foreach (var user in group)
            {
                for (var i = 0; i < _test.N; i++)
                {
                    PersonalTerms(personal, user.Id, _test, quality.AsSpan(i * k, k), length.AsSpan(i * k, k), terms);
                    var a = Argmax(_test, i, quality.AsSpan(i * k, k), length.AsSpan(i * k, k), bonus.AsSpan(i * k, k), feedback.AsSpan(i * k, k), terms);
                    reward += group.Key.Reward(_test, i, a);
                    cost += _test.Cost[(i * k) + a];
                    count++;
                }
            }

            result[group.Key.Name] = new PersonaScore(reward / count, cost / count / ReferenceCost);
        }

        return result;
    }

    // The engine's score (MixLlmEngine.Score): λ·(p̂ + α·bonus + κ·s^df + t_ua) − ĉ/c_ref.
    private int Argmax(EvalSet set, int i, ReadOnlySpan<double> q, ReadOnlySpan<double> len, ReadOnlySpan<double> bonus, ReadOnlySpan<double> feedback,
        ReadOnlySpan<double> terms)
    {
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var a = 0; a < set.K; a++)
        {
            var score = (Lambda * (q[a] + (_settings.Alpha * bonus[a]) + feedback[a] + terms[a])) - (set.Arms[a].CostUsd(set.PromptTokens[i], len[a]) / _costReference);
            if (score > bestScore)
            {
                (best, bestScore) = (a, score);
            }
        }

        return best;
    }

    // λ whose mean predicted cost on the pool is closest to the budget share of the reference arm's (no labels).
    private double OperatingLambda(CoreEnginePredictor predictor, EvalSet pool)
    {
        var k = pool.K;
        var q = new double[pool.N * k];
        var len = new double[pool.N * k];
        var bonus = new double[pool.N * k];
        var none = new double[k];
        for (var i = 0; i < pool.N; i++)
        {
            predictor.Predict(pool, i, q.AsSpan(i * k, k), len.AsSpan(i * k, k), bonus.AsSpan(i * k, k));
        }

        var refCost = Enumerable.Range(0, pool.N).Sum(i => pool.Arms[_reference].CostUsd(pool.PromptTokens[i], len[(i * k) + _reference]));
        var target = _options.BudgetPct / 100 * refCost;
        return EvaluationRunner.DefaultLambdas.Where(l => l > 0).MinBy(l =>
        {
            Lambda = l;
            double cost = 0;
            for (var i = 0; i < pool.N; i++)
            {
                var a = Argmax(pool, i, q.AsSpan(i * k, k), len.AsSpan(i * k, k), bonus.AsSpan(i * k, k), none, none);
                cost += pool.Arms[a].CostUsd(pool.PromptTokens[i], len[(i * k) + a]);
            }

            return Math.Abs(cost - target);
        });
    }

    private (int[] Offline, int[] Online) Cut()
    {
        var rows = Enumerable.Range(0, _train.N).ToArray();
        new Random(_options.Seed).Shuffle(rows);
        var n = (int)Math.Round(rows.Length * _options.OfflineShare);
        return (rows[..n], rows[n..]);
    }

    private sealed record SimulatedUser(string Id, Persona Persona);
}

/// <summary>Knobs of <see cref="PersonaSimulator"/>.</summary>
internal sealed record PersonaSimulationOptions
{
    public int UsersPerPersona { get; init; } = 4;

    public int EventsPerUser { get; init; } = 300;

    public int NewUserRatings { get; init; } = 10;

    public int CheckpointEvery { get; init; } = 25;

    public double OfflineShare { get; init; } = 0.5;

    public double BudgetPct { get; init; } = ReportWriter.TargetCostPct;

    public int Seed { get; init; } = 42;

    public PersonalisationOptions Personalisation { get; init; } = new();
}

/// <summary>Mean persona reward and mean cost (fraction of the reference arm's) on the test set.</summary>
internal sealed record PersonaScore(double Reward, double CostShare);

/// <summary>Test-set scores per persona after <paramref name="Events"/> feedback events per user.</summary>
internal sealed record PersonaCheckpoint(int Events, Dictionary<string, PersonaScore> Scores);

/// <summary>One variant's curve and its new-user scores.</summary>
internal sealed record PersonaVariantResult(string Variant, List<PersonaCheckpoint> Curve, Dictionary<string, PersonaScore> NewUsers, double? Kappa);
