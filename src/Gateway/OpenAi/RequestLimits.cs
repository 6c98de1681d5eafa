using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Router.Gateway.Usage;
using Router.Gateway.Pipeline;

namespace Router.Gateway.OpenAi;

/// <summary>Checks a parsed request against <see cref="RequestLimitsOptions"/>: unknown fields, message count, prompt tokens.</summary>
internal sealed class RequestLimits
{
    // Top-level fields of OpenAI's API reference (chat, legacy completions, embeddings) as of 2025, plus the
    // gateway's own `router` (removed by the parser before this check).
    private static readonly string[] ChatFields =
    [
        "model", "messages", "stream", "stream_options", "temperature", "top_p", "n", "stop", "max_tokens", "max_completion_tokens",
        "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "user", "tools", "tool_choice",
        "parallel_tool_calls", "response_format", "seed", "functions", "function_call", "service_tier", "store", "metadata",
        "modalities", "audio", "prediction", "reasoning_effort", "web_search_options", "verbosity", "prompt_cache_key",
        "safety_identifier", "router",
    ];

    private static readonly string[] CompletionFields =
    [
        "model", "prompt", "suffix", "max_tokens", "temperature", "top_p", "n", "stream", "stream_options", "logprobs", "echo",
        "stop", "presence_penalty", "frequency_penalty", "best_of", "logit_bias", "user", "seed", "router",
    ];

    private static readonly string[] EmbeddingFields = ["model", "input", "encoding_format", "dimensions", "user", "router"];

    private readonly RequestLimitsOptions _options;
    private readonly FrozenSet<string> _chat;
    private readonly FrozenSet<string> _completions;
    private readonly FrozenSet<string> _embeddings;

    public RequestLimits(RequestLimitsOptions options)
    {
        _options = options;
        _chat = ChatFields.Concat(options.ExtraFields).ToFrozenSet(StringComparer.Ordinal);
        _completions = CompletionFields.Concat(options.ExtraFields).ToFrozenSet(StringComparer.Ordinal);
        _embeddings = EmbeddingFields.Concat(options.ExtraFields).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The first limit <paramref name="request"/> breaks, or null.</summary>
    public OpenAiError? Check(GatewayRequest request, ITokenCounter tokens)
    {
        if (_options.RejectUnknownFields)
        {
            var known = request.Operation switch
            {
                OpenAiOperation.ChatCompletions => _chat,
                OpenAiOperation.Completions => _completions,
                _ => _embeddings,
            };
            foreach (var (name, _) in request.Body)
            {
                if (!known.Contains(name))
                {
                    return OpenAiError.InvalidRequest($"Unrecognized request argument supplied: '{Truncate(name)}'.", Truncate(name), "unknown_parameter");
                }
            }
        }

        if (request.Operation == OpenAiOperation.ChatCompletions && request.Body["messages"] is JsonArray messages && messages.Count > _options.MaxMessages)
        {
            return OpenAiError.InvalidRequest(
                $"Too many messages: {messages.Count}; this gateway accepts at most {_options.MaxMessages} per request.", "messages", "too_many_messages");
        }

        if (request.Operation == OpenAiOperation.Embeddings && request.Body["input"] is JsonArray inputs && inputs.Count > _options.MaxEmbeddingInputs)
        {
            return OpenAiError.InvalidRequest(
                $"Too many inputs: {inputs.Count}; this gateway accepts at most {_options.MaxEmbeddingInputs} per embeddings request.", "input", "too_many_inputs");
        }

        // A byte-level BPE token covers at least one UTF-8 byte and a UTF-16 char is at most 3 UTF-8 bytes, so
        // tokens <= 3 * chars: only prompts that could exceed the limit pay for counting.
        if (3L * request.PromptText.Length > _options.MaxPromptTokens)
        {
            var count = tokens.CountTokens(request.PromptText);
            if (count > _options.MaxPromptTokens)
            {
                return OpenAiError.InvalidRequest(
                    $"The prompt has about {count} tokens; this gateway accepts at most {_options.MaxPromptTokens}.", null, "context_length_exceeded");
            }
        }

        return null;
    }

    private static string Truncate(string name) => name.Length <= 64 ? name : name[..64] + "…";
}
