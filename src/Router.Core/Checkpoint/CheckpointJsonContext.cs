using System.Text.Json.Serialization;

namespace Router.Core.Checkpoint;

/// <summary>Source-generated JSON metadata for the checkpoint (camelCase, indented so a person can read the header).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CheckpointDocument))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
