namespace Router.Gateway.Usage;

/// <summary>Counts tokens in text, for prompts the router prices and for usage an upstream did not report. Thread-safe.</summary>
public interface ITokenCounter
{
    /// <summary>Number of tokens in <paramref name="text"/>.</summary>
    int CountTokens(string text);
}
