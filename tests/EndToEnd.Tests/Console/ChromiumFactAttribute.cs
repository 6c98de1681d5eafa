namespace EndToEnd.Tests.Console;

/// <summary>
/// A browser test: needs Debian's chromium (<c>/usr/bin/chromium</c>, or <c>ROUTER_CHROMIUM</c>). Skipped with a
/// message when it is missing, except in CI (<c>CI=true</c>), where the test runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>The chromium executable, or null when none is installed.</summary>
    public static string? Executable { get; } = new[] { Environment.GetEnvironmentVariable("ROUTER_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
        .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public ChromiumFactAttribute()
    {
        if (Executable is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "No chromium found (apt-get install chromium, or set ROUTER_CHROMIUM); browser tests skipped outside CI.";
        }
    }
}
