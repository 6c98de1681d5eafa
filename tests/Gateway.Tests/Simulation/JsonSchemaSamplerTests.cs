using System.Text.Json.Nodes;
using Router.Gateway.Simulation;

namespace Gateway.Tests.Simulation;

public sealed class JsonSchemaSamplerTests
{
    private static readonly string[] SchemaTexts =
    [
        """{"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}""",
        """{"type":"object","additionalProperties":false,"required":["steps","final_answer"],"properties":{"steps":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["explanation","output"],"properties":{"explanation":{"type":"string"},"output":{"type":"string"}}}},"final_answer":{"type":"string"}}}""",
        """{"type":"object","required":["count","price","ratio"],"properties":{"count":{"type":"integer","minimum":3,"maximum":5},"price":{"type":"number","multipleOf":0.25,"minimum":10,"maximum":11},"ratio":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1}}}""",
        """{"type":"object","required":["at","mail","id","site","ip","day","clock"],"properties":{"at":{"type":"string","format":"date-time"},"mail":{"type":"string","format":"email"},"id":{"type":"string","format":"uuid"},"site":{"type":"string","format":"uri"},"ip":{"type":"string","format":"ipv4"},"day":{"type":"string","format":"date"},"clock":{"type":"string","format":"time"}}}""",
        """{"type":"object","required":["note","code"],"properties":{"note":{"anyOf":[{"type":"null"},{"type":"string","minLength":12}]},"code":{"type":["string","null"],"maxLength":3}}}""",
        """{"$defs":{"node":{"type":"object","required":["value","children"],"properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}},"$ref":"#/$defs/node"}""",
        """{"allOf":[{"type":"object","properties":{"a":{"type":"boolean"}},"required":["a"]},{"properties":{"b":{"const":"fixed"}},"required":["b"]}]}""",
        """{"type":"object","required":["tags","pair"],"properties":{"tags":{"type":"array","uniqueItems":true,"minItems":2,"maxItems":3,"items":{"type":"string","enum":["red","green","blue","cyan"]}},"pair":{"type":"array","minItems":2,"maxItems":2,"items":{"type":"integer","minimum":-3,"maximum":-1}}}}""",
        """{"type":"array","minItems":4,"uniqueItems":true,"items":{"type":"string"}}""",
        """{"type":"string","enum":["positive","negative","neutral"]}""",
    ];

    public static TheoryData<string> Schemas() => [.. SchemaTexts];

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Sample_ManySeeds_ValidatesAgainstTheSchema(string schema)
    {
        for (var seed = 0; seed < 25; seed++)
        {
            var value = new JsonSchemaSampler(JsonNode.Parse(schema), new Random(seed), "Plan a trip to Lisbon with Ana").Sample();

            SchemaAssert.Valid(schema, value?.ToJsonString() ?? "null");
        }
    }

    [Fact]
    public void Sample_SameSeed_SameValue()
    {
        var schema = JsonNode.Parse(SchemaTexts[1]);

        var a = new JsonSchemaSampler(schema, new Random(7), "x").Sample()!.ToJsonString();
        var b = new JsonSchemaSampler(schema, new Random(7), "x").Sample()!.ToJsonString();

        Assert.Equal(a, b);
    }

    [Fact]
    public void Sample_StringProperty_TakesACapitalisedWordOfTheUserTurn()
    {
        var schema = JsonNode.Parse("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}""");

        var value = new JsonSchemaSampler(schema, new Random(1), "What's the weather in Paris?").Sample();

        Assert.Equal("Paris", value!["location"]!.GetValue<string>());
    }
}
