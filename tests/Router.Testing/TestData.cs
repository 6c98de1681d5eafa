namespace Router.Testing;

/// <summary>
/// Where the tests find routing data. <see cref="Fixtures"/>: the small cuts committed in <c>tests/fixtures</c>
/// (always there; see its README). <see cref="Full"/>: the full public files, from the <c>ROUTER_DATA</c>
/// environment variable, else the first <c>shared/data</c> folder above the test binary; null when neither exists.
/// Both folders share one layout (<c>routerbench/</c>, <c>routerdc7/</c>, <c>routellm/mmlu/</c>), so a test reads
/// <c>Path.Combine(root, "routerbench", ...)</c> from either.
/// </summary>
public static class TestData
{
    /// <summary>The environment variable that names the full data folder.</summary>
    public const string DataVariable = "ROUTER_DATA";

    /// <summary>Set to 1 to make a missing full data folder fail the tests that need it (CI=true does the same).</summary>
    public const string RequireVariable = "ROUTER_REQUIRE_DATA";

    private static readonly Lazy<string> FixturesRoot = new(LocateFixtures);
    private static readonly Lazy<string?> FullRoot = new(LocateFull);

    /// <summary>The committed fixtures folder (<c>tests/fixtures</c>); throws when the checkout lacks it.</summary>
    public static string Fixtures => FixturesRoot.Value;

    /// <summary>The full data folder, or null when none is configured or found.</summary>
    public static string? Full => FullRoot.Value;

    /// <summary>
    /// Why the full-data tests are skipped here, or null when they run: they run when the data is found, and must run
    /// (fail without it) when <c>CI=true</c> or <c>ROUTER_REQUIRE_DATA=1</c>.
    /// </summary>
    public static string? SkipReason =>
        Full is not null || IsRequired
            ? null
            : $"!!! SKIPPED: needs the full public data ({Where()}; set {DataVariable} to its folder or put it at " +
              $"../shared/data; scripts/get-data.sh says where each file comes from). CI=true or {RequireVariable}=1 fails instead. !!!";

    /// <summary>The full data folder; fails the test with directions when it is missing (required mode).</summary>
    public static string RequireFull() =>
        Full ?? throw new DirectoryNotFoundException(
            $"The full data is required here (CI=true or {RequireVariable}=1) but was not found: {Where()}. Set " +
            $"{DataVariable} or provide ../shared/data (see scripts/get-data.sh).");

    private static bool IsRequired =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        || Environment.GetEnvironmentVariable(RequireVariable) == "1";

    private static string LocateFixtures() =>
        FindAbove(Path.Combine("tests", "fixtures"))
        ?? throw new DirectoryNotFoundException("tests/fixtures not found above " + AppContext.BaseDirectory);

    private static string? LocateFull()
    {
        // A variable that names no folder counts as no data: the skip message and the required-mode failure name it.
        if (Environment.GetEnvironmentVariable(DataVariable) is { Length: > 0 } configured)
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        return FindAbove(Path.Combine("shared", "data"));
    }

    private static string Where() =>
        Environment.GetEnvironmentVariable(DataVariable) is { Length: > 0 } configured
            ? $"{DataVariable}='{configured}' names no folder"
            : $"{DataVariable} is not set and no shared/data folder is above {AppContext.BaseDirectory}";

    /// <summary>The first <paramref name="relative"/> folder holding a <c>routerbench</c> folder, walking up from the test binary.</summary>
    private static string? FindAbove(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(Path.Combine(candidate, "routerbench")))
            {
                return candidate;
            }
        }

        return null;
    }
}
