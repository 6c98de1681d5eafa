using System.Text.Json;
using Json.Schema;

namespace Gateway.Tests.Simulation;

/// <summary>Validates JSON against a JSON Schema with an independent validator (JsonSchema.Net), formats included.</summary>
internal static class SchemaAssert
{
    public static void Valid(string schema, string json)
    {
        var parsed = JsonSchema.FromText(schema);
        using var instance = JsonDocument.Parse(json);
        var result = parsed.Evaluate(instance.RootElement, new EvaluationOptions { RequireFormatValidation = true, OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, $"{json} does not satisfy {schema}: " + string.Join("; ",
            (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }
}
