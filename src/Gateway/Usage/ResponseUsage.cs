namespace Router.Gateway.Usage;

/// <summary>What a response said about its usage, and the text it generated (for estimates when it said nothing).</summary>
/// <param name="PromptTokens">The upstream's <c>usage.prompt_tokens</c>, if it reported one.</param>
/// <param name="CompletionTokens">The upstream's <c>usage.completion_tokens</c>, if it reported one.</param>
/// <param name="CompletionText">The generated text seen in the response (capped).</param>
public sealed record ResponseUsage(int? PromptTokens, int? CompletionTokens, string CompletionText);
