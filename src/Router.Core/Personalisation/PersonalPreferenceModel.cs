namespace Router.Core.Personalisation;

/// <summary>
/// Per-user preferences on top of the shared MixLLM model (docs/personalisation.md). Each rating a user gives adds the
/// residual <c>r = score − p̂_a(e)</c> (the shared model's predicted quality for the served arm, read before the
/// rating's own update) to the user's (user, arm) cell. The personal term of arm a for user u is the empirical-Bayes
/// posterior mean of the cell's true residual,
/// <code>t_ua = f_ua + n_ua/(n_ua + κ)·(mean_ua − f_ua)</code>
/// (Efron &amp; Morris 1975: a cell with no ratings gets the prior f, one with many its own mean), where the prior
/// <c>f_ua = p_u·q_a</c> is a rank-k factorisation of the users × arms residual matrix (Koren, Bell &amp; Volinsky 2009)
/// so that a user with few ratings borrows from users who rated alike, or 0 in <see cref="PersonalisationMode.Residuals"/>.
/// The score adds λ·t_ua, in quality units like p̂.
/// </summary>
/// <remarks>
/// <para><b>Determinism</b>: the state is a pure function of the sequence of <see cref="Observe"/> and
/// <see cref="Forget"/> calls (and the options): only + − × ÷ and sqrt, sums in a fixed order (users by ordinal key,
/// arms by first appearance), seeded factor initialisation. Replicas folding the same log hold bit-identical state
/// (<see cref="StateHash"/>).</para>
/// <para><b>Memory</b>: at most <see cref="PersonalisationOptions.MaxUsers"/> users; a new user past it evicts the one
/// whose last rating is oldest. Per user: 3 numbers per arm plus k factors.</para>
/// <para><b>Thread-safety</b>: every member takes one lock; reads on the request path are a dictionary look-up and a
/// few dot products.</para>
/// </remarks>
public sealed partial class PersonalPreferenceModel
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, UserCells> _users = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, string> _byRecency = [];
    private readonly List<string> _arms = [];
    private readonly Dictionary<string, int> _armIndex = new(StringComparer.Ordinal);
    private readonly List<double[]> _armFactors = [];
    private long _clock;
    private long _observations;
    private double _kappa;

    /// <summary>An empty model.</summary>
    public PersonalPreferenceModel(PersonalisationOptions? options = null)
    {
        Options = options ?? new PersonalisationOptions();
        Options.Validate();
        _kappa = Options.Kappa > 0 ? Options.Kappa : Options.PriorKappa;
    }

    /// <summary>The constants.</summary>
    public PersonalisationOptions Options { get; }

    /// <summary>Users held.</summary>
    public int UserCount
    {
        get
        {
            lock (_lock)
            {
                return _users.Count;
            }
        }
    }

    /// <summary>Ratings folded in (forgotten users' included).</summary>
    public long Observations
    {
        get
        {
            lock (_lock)
            {
                return _observations;
            }
        }
    }

    /// <summary>
    /// κ in force: <see cref="PersonalisationOptions.Kappa"/> when set, else σ²/τ² re-estimated at every refit by the
    /// method of moments (σ² the pooled within-cell variance of residuals, τ² = mean over cells of mean² − σ²/n, the
    /// between-user variance of true residuals), clamped to [MinKappa, MaxKappa]; MaxKappa when τ² ≤ 0 (users do not
    /// differ: no personalisation).
    /// </summary>
    public double Kappa
    {
        get
        {
            lock (_lock)
            {
                return _kappa;
            }
        }
    }

    /// <summary>True when the user has state.</summary>
    public bool Contains(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_lock)
        {
            return _users.ContainsKey(user);
        }
    }

    /// <summary>
    /// Folds one rating: <paramref name="residual"/> = score − the shared model's predicted quality of
    /// <paramref name="arm"/> for the rated query. Updates the cell, the user's factors and, every
    /// <see cref="PersonalisationOptions.RefitEvery"/> ratings, the arm factors and κ.
    /// </summary>
    /// <exception cref="ArgumentException">Empty user or arm, or a residual that is not finite.</exception>
    /// <param name="user">The user key.</param>
    /// <param name="arm">The served arm.</param>
    /// <param name="residual">Score − p̂ of the served arm.</param>
    /// <param name="features">The served arm's <see cref="PersonalFeatures"/> for the rated query (required with
    /// <see cref="PersonalisationOptions.UseFeatures"/>, else ignored).</param>
    public void Observe(string user, string arm, double residual, ReadOnlySpan<double> features = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(arm);
        if (!double.IsFinite(residual))
        {
            throw new ArgumentException("The residual must be finite.", nameof(residual));
        }

        if (Options.UseFeatures && (features.Length != PersonalFeatures.Count || !AllFinite(features)))
        {
            throw new ArgumentException($"Expected {PersonalFeatures.Count} finite features.", nameof(features));
        }

        lock (_lock)
        {
            var a = ArmIndex(arm);
            var cells = GetOrAddUser(user);
            cells.Grow(_arms.Count);
            cells.N[a]++;
            cells.Sum[a] += residual;
            cells.SumSq[a] += residual * residual;
            cells.Count++;
            if (Options.UseFeatures)
            {
                ObserveFeatures(cells, a, residual, features);
            }

            Touch(user, cells);
            _observations++;
            SolveUser(cells);
            if (_observations % Options.RefitEvery == 0)
            {
                Refit();
            }
        }
    }

    /// <summary>Drops everything known about <paramref name="user"/> (the right to be forgotten). False when unknown.</summary>
    public bool Forget(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_lock)
        {
            if (!_users.Remove(user, out var cells))
            {
                return false;
            }

            _byRecency.Remove(cells.LastUsed);
            return true;
        }
    }

    /// <summary>
    /// Writes the personal term t_ua (quality units, before λ) of each of <paramref name="arms"/> for
    /// <paramref name="user"/> into <paramref name="terms"/>; zeros for an unknown user, a null user or
    /// <see cref="PersonalisationMode.Off"/>. Returns false when every term is 0 for that reason.
    /// </summary>
    /// <param name="user">The user key.</param>
    /// <param name="arms">The candidates.</param>
    /// <param name="features">Per candidate, <see cref="PersonalFeatures.Count"/> values (row-major) for this query;
    /// empty: the query-independent part only.</param>
    /// <param name="terms">One term per candidate.</param>
    public bool Terms(string? user, IReadOnlyList<string> arms, ReadOnlySpan<double> features, Span<double> terms)
    {
        ArgumentNullException.ThrowIfNull(arms);
        if (terms.Length < arms.Count)
        {
            throw new ArgumentException("One term per arm.", nameof(terms));
        }

        if (!features.IsEmpty && features.Length != arms.Count * PersonalFeatures.Count)
        {
            throw new ArgumentException($"Expected {PersonalFeatures.Count} features per arm.", nameof(features));
        }

        terms[..arms.Count].Clear();
        if (user is null || Options.Mode == PersonalisationMode.Off)
        {
            return false;
        }

        lock (_lock)
        {
            if (!_users.TryGetValue(user, out var cells))
            {
                return false;
            }

            for (var i = 0; i < arms.Count; i++)
            {
                var armFeatures = features.IsEmpty ? default : features.Slice(i * PersonalFeatures.Count, PersonalFeatures.Count);
                terms[i] = Term(cells, _armIndex.TryGetValue(arms[i], out var a) ? a : -1, armFeatures, out _, out _, out _);
            }

            return true;
        }
    }

    /// <summary>The user's personal terms and the numbers behind them for every known arm; null for an unknown user.</summary>
    public UserPreferences? Describe(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_lock)
        {
            if (!_users.TryGetValue(user, out var cells))
            {
                return null;
            }

            var arms = new List<ArmPreference>(_arms.Count);
            foreach (var arm in _arms.Order(StringComparer.Ordinal))
            {
                var a = _armIndex[arm];
                var term = Term(cells, a, default, out var mean, out var weight, out var factor);
                arms.Add(new ArmPreference(arm, a < cells.N.Length ? cells.N[a] : 0, mean, weight, factor, term));
            }

            return new UserPreferences(user, cells.Count, _kappa, arms, [.. cells.Theta]);
        }
    }

    // t = θ_u·[1; φ] + f + w·(mean − f), w = n/(n+κ), mean = the cell's mean residual left after θ_u·[1; φ];
    // f = p_u·q_a with factors, else 0. Arm index −1: an arm the model has never seen (features only). Clipped.
    private double Term(UserCells cells, int a, ReadOnlySpan<double> features, out double mean, out double weight, out double factor)
    {
        var n = a >= 0 && a < cells.N.Length ? cells.N[a] : 0;
        mean = n > 0 ? DeviationSum(cells, a) / n : 0;
        weight = n / (n + _kappa);
        factor = a >= 0 && Options.Mode == PersonalisationMode.ResidualsAndFactors ? Dot(cells.Factor, _armFactors[a]) : 0;
        var term = factor + (weight * (mean - factor));
        if (Options.UseFeatures && !features.IsEmpty)
        {
            term += FeatureTerm(cells, features);
        }

        return Math.Clamp(term, -Options.MaxTerm, Options.MaxTerm);
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (var value in values)
        {
            if (!double.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }

    private int ArmIndex(string arm)
    {
        if (!_armIndex.TryGetValue(arm, out var a))
        {
            a = _arms.Count;
            _arms.Add(arm);
            _armIndex.Add(arm, a);
            _armFactors.Add(InitialArmFactor(arm));
        }

        return a;
    }

    private UserCells GetOrAddUser(string user)
    {
        if (_users.TryGetValue(user, out var cells))
        {
            return cells;
        }

        while (_users.Count >= Options.MaxUsers && _byRecency.Count > 0)
        {
            // Least-recent feedback first: SortedDictionary enumerates keys ascending.
            var (oldest, name) = _byRecency.First();
            _byRecency.Remove(oldest);
            _users.Remove(name);
        }

        cells = new UserCells(Options.Rank);
        _users.Add(user, cells);
        return cells;
    }

    private void Touch(string user, UserCells cells)
    {
        if (cells.LastUsed > 0)
        {
            _byRecency.Remove(cells.LastUsed);
        }

        cells.LastUsed = ++_clock;
        _byRecency.Add(cells.LastUsed, user);
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var total = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    /// <summary>One user's sufficient statistics per arm (index = the model's arm index) and factors.</summary>
    private sealed class UserCells(int rank)
    {
        public long LastUsed { get; set; }

        public long Count { get; set; }

        public int[] N { get; set; } = [];

        public double[] Sum { get; set; } = [];

        public double[] SumSq { get; set; } = [];

        public double[] Factor { get; set; } = new double[rank];

        /// <summary>Σφ per cell, arm-major (arms × <see cref="PersonalFeatures.Count"/>).</summary>
        public double[] SumFeatures { get; set; } = [];

        /// <summary>Σxxᵀ over the user's ratings, x = [1; φ] (row-major).</summary>
        public double[] Gram { get; set; } = new double[(PersonalFeatures.Count + 1) * (PersonalFeatures.Count + 1)];

        /// <summary>Σ r·x.</summary>
        public double[] GramRhs { get; set; } = new double[PersonalFeatures.Count + 1];

        /// <summary>θ_u = (Σxxᵀ + λI)⁻¹ Σ r·x.</summary>
        public double[] Theta { get; set; } = new double[PersonalFeatures.Count + 1];

        public void Grow(int arms)
        {
            if (N.Length < arms)
            {
                var n = N;
                var sum = Sum;
                var sumSq = SumSq;
                var sumFeatures = SumFeatures;
                Array.Resize(ref n, arms);
                Array.Resize(ref sum, arms);
                Array.Resize(ref sumSq, arms);
                Array.Resize(ref sumFeatures, arms * PersonalFeatures.Count);
                (N, Sum, SumSq, SumFeatures) = (n, sum, sumSq, sumFeatures);
            }
        }
    }
}
