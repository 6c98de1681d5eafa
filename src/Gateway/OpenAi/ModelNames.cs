namespace Router.Gateway.OpenAi;

/// <summary>The model names that ask the router instead of pinning an arm.</summary>
public static class ModelNames
{
    /// <summary>The router's name in <c>/v1/models</c> and the usual way to ask for routing.</summary>
    public const string Auto = "auto";

    /// <summary>An alias of <see cref="Auto"/>.</summary>
    public const string Router = "router";

    /// <summary>True for <c>auto</c> and <c>router</c> (case-insensitive).</summary>
    public static bool IsRouterAlias(string model) =>
        string.Equals(model, Auto, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(model, Router, StringComparison.OrdinalIgnoreCase);
}
