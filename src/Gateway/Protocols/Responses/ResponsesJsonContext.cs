using System.Text.Json.Serialization;

namespace Router.Gateway.Protocols.Responses;

/// <summary>Source-generated JSON for the stored form (trim- and AOT-safe).</summary>
[JsonSerializable(typeof(StoredResponse))]
internal sealed partial class ResponsesJsonContext : JsonSerializerContext;
