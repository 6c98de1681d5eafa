namespace Router.Gateway.OpsConsole;

/// <summary>The body of <c>POST /ui/login</c>.</summary>
/// <param name="Key">The admin key, as typed in the "Admin key" field.</param>
public sealed record ConsoleLogin(string? Key);
