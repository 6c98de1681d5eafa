using System.Text.Json.Serialization;

namespace Router.Core.Learning;

/// <summary>Source-generated System.Text.Json metadata for <see cref="LearningEvent"/> (camelCase, no indentation).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LearningEvent))]
public sealed partial class LearningJsonContext : JsonSerializerContext;
