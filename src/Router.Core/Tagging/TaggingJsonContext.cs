using System.Text.Json.Serialization;

namespace Router.Core.Tagging;

internal sealed record ChatMessage(string Role, string? Content);

internal sealed record ChatRequest(string Model, IReadOnlyList<ChatMessage> Messages, double Temperature);

internal sealed record ChatChoice(ChatMessage? Message);

internal sealed record ChatResponse(IReadOnlyList<ChatChoice>? Choices);

/// <summary>Source-generated JSON for the OpenAI chat-completions subset the tagger uses.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatResponse))]
internal sealed partial class TaggingJsonContext : JsonSerializerContext;
