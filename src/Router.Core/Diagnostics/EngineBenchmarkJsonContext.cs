using System.Text.Json.Serialization;

namespace Router.Core.Diagnostics;

/// <summary>Source-generated JSON for <see cref="EngineBenchmarkResult"/>.</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(EngineBenchmarkResult))]
public sealed partial class EngineBenchmarkJsonContext : JsonSerializerContext;
