using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Router.Gateway.Simulation;

/// <summary>
/// Makes one JSON value that satisfies a JSON Schema (the subset OpenAI accepts for function parameters and
/// <c>response_format: json_schema</c>, see platform.openai.com/docs/guides/structured-outputs "Supported schemas"):
/// <c>type</c> (also as a list), <c>properties</c>/<c>required</c> (every listed property is written, so strict
/// schemas, which require all, pass), <c>enum</c>, <c>const</c>, <c>items</c>, <c>minItems</c>/<c>maxItems</c>,
/// <c>uniqueItems</c>, <c>minimum</c>/<c>maximum</c> (and the exclusive forms), <c>multipleOf</c>,
/// <c>minLength</c>/<c>maxLength</c>, <c>format</c> (date-time, date, time, email, uri, uuid, ipv4, hostname),
/// <c>anyOf</c>/<c>oneOf</c> (the first branch that is not <c>null</c>), <c>allOf</c> (merged) and local <c>$ref</c>s
/// into <c>$defs</c>/<c>definitions</c> (recursive ones stop after <see cref="MaxDepth"/> levels with only the required
/// properties and the fewest items). <c>pattern</c> is not honoured. Strings are taken from the user's words where
/// that reads naturally (capitalised words: names, places), else they name their property.
/// </summary>
internal sealed class JsonSchemaSampler
{
    private const int MaxDepth = 8;
    private readonly JsonNode? _root;
    private readonly Random _random;
    private readonly string[] _names;

    /// <param name="root">The whole schema (the target of <c>#</c> references).</param>
    /// <param name="random">The seeded source of every choice.</param>
    /// <param name="userText">The last user turn: capitalised words in it become string values.</param>
    public JsonSchemaSampler(JsonNode? root, Random random, string userText)
    {
        _root = root;
        _random = random;
        _names = CapitalisedWords(userText);
    }

    /// <summary>A value for the root schema.</summary>
    public JsonNode? Sample() => Sample(_root, "value", 0);

    private JsonNode? Sample(JsonNode? schema, string name, int depth)
    {
        if (schema is not JsonObject s)
        {
            // `true`, `{}` or a missing schema accept anything.
            return JsonValue.Create(name);
        }

        if (s["$ref"] is JsonValue refValue && refValue.TryGetValue<string>(out var reference))
        {
            return depth > MaxDepth * 2 ? null : Sample(Resolve(reference), name, depth + 1);
        }

        if (s.TryGetPropertyValue("const", out var constant))
        {
            return constant?.DeepClone();
        }

        if (s["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[_random.Next(values.Count)]?.DeepClone();
        }

        if ((s["anyOf"] ?? s["oneOf"]) is JsonArray { Count: > 0 } branches)
        {
            var branch = branches.FirstOrDefault(b => b.Field("type")?.ToString() != "null") ?? branches[0];
            return Sample(branch, name, depth + 1);
        }

        if (s["allOf"] is JsonArray { Count: > 0 } parts)
        {
            return Sample(Merge(parts), name, depth + 1);
        }

        return TypeOf(s) switch
        {
            "object" => SampleObject(s, depth),
            "array" => SampleArray(s, name, depth),
            "integer" => JsonValue.Create((long)Number(s, integer: true)),
            "number" => JsonValue.Create(Number(s, integer: false)),
            "boolean" => JsonValue.Create(_random.Next(2) == 1),
            "null" => null,
            _ => JsonValue.Create(Text(s, name)),
        };
    }

    private static string TypeOf(JsonObject s) => s["type"] switch
    {
        JsonArray types => types.Select(t => t?.ToString()).FirstOrDefault(t => t is not null and not "null") ?? "null",
        JsonValue type => type.ToString(),
        _ when s["properties"] is not null => "object",
        _ when s["items"] is not null => "array",
        _ => "string",
    };

    private JsonObject SampleObject(JsonObject s, int depth)
    {
        var result = new JsonObject();
        var required = (s["required"] as JsonArray)?.Select(r => r?.ToString()).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];
        if (s["properties"] is JsonObject properties)
        {
            foreach (var (property, propertySchema) in properties)
            {
                // Past the depth cap only what the schema demands, so a recursive schema ends.
                if (depth <= MaxDepth || required.Contains(property))
                {
                    result[property] = Sample(propertySchema, property, depth + 1);
                }
            }
        }

        foreach (var missing in required.Where(r => !result.ContainsKey(r)))
        {
            result[missing] = JsonValue.Create(missing);
        }

        return result;
    }

    private JsonArray SampleArray(JsonObject s, string name, int depth)
    {
        var min = Integer(s["minItems"]) ?? 0;
        var max = Integer(s["maxItems"]) ?? Math.Max(min, 3);
        var count = depth > MaxDepth ? min : Math.Clamp(1 + _random.Next(2), min, Math.Max(min, max));
        var items = s["items"];
        var array = new JsonArray();
        var unique = s["uniqueItems"]?.GetValueKind() == JsonValueKind.True;
        if (unique && items.Field("enum") is JsonArray choices)
        {
            foreach (var choice in choices.Take(count))
            {
                array.Add(choice?.DeepClone());
            }

            return array;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            // The index in the name keeps generated strings distinct and readable; for uniqueItems a few redraws, then
            // the index appended to a string that still repeats (words of the user turn are few).
            var hint = count > 1 ? $"{Singular(name)} {i + 1}" : Singular(name);
            var item = Sample(items, hint, depth + 1);
            if (unique)
            {
                for (var attempt = 0; attempt < 4 && seen.Contains(item?.ToJsonString() ?? "null"); attempt++)
                {
                    item = Sample(items, hint, depth + 1);
                }

                if (seen.Contains(item?.ToJsonString() ?? "null") && item is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                {
                    item = JsonValue.Create($"{v.GetValue<string>()} {i + 1}");
                }

                seen.Add(item?.ToJsonString() ?? "null");
            }

            array.Add(item);
        }

        return array;
    }

    private double Number(JsonObject s, bool integer)
    {
        var low = Double(s["minimum"]) ?? (Double(s["exclusiveMinimum"]) is { } exMin ? exMin + (integer ? 1 : 0.5) : (double?)null);
        var high = Double(s["maximum"]) ?? (Double(s["exclusiveMaximum"]) is { } exMax ? exMax - (integer ? 1 : 0.5) : (double?)null);
        var lo = low ?? Math.Min(1, high ?? 1);
        var hi = high ?? lo + 9;
        if (integer)
        {
            (lo, hi) = (Math.Ceiling(lo), Math.Max(Math.Ceiling(lo), Math.Floor(hi)));
        }

        if (Double(s["multipleOf"]) is { } step and > 0)
        {
            // A random multiple of `step` inside [lo, hi]; rounding removes the binary noise of k * 0.1.
            var first = Math.Ceiling(lo / step);
            var count = Math.Max(0, Math.Floor(hi / step) - first);
            return Math.Round((first + _random.Next((int)Math.Min(count, 1000) + 1)) * step, 10);
        }

        return integer
            ? lo + _random.Next((int)Math.Min(hi - lo, 1000) + 1)
            : Math.Clamp(Math.Round(lo + (_random.NextDouble() * (hi - lo)), 2), lo, hi);
    }

    private string Text(JsonObject s, string name)
    {
        var n = _random.Next(1, 28);
        var text = s["format"]?.ToString() switch
        {
            "date-time" => $"2025-03-{n:00}T10:30:00Z",
            "date" => $"2025-03-{n:00}",
            "time" => $"10:{n:00}:00Z",
            "email" => $"user{n}@example.com",
            "uri" or "url" => $"https://example.com/{Slug(name)}/{n}",
            "uuid" => new Guid([.. Enumerable.Range(0, 16).Select(_ => (byte)_random.Next(256))]).ToString(),
            "ipv4" => $"192.0.2.{n}",
            "hostname" => $"host{n}.example.com",
            _ => _names.Length > 0 ? _names[_random.Next(_names.Length)] : $"sample {name}",
        };
        var minLength = Integer(s["minLength"]) ?? 0;
        var maxLength = Integer(s["maxLength"]);
        if (text.Length < minLength)
        {
            text = text.PadRight(minLength, 'x');
        }

        return maxLength is { } m && text.Length > m ? text[..m] : text;
    }

    private JsonNode? Resolve(string reference)
    {
        if (reference == "#")
        {
            return _root;
        }

        // Local JSON pointers only ("#/$defs/Step"); anything else samples as "accept anything".
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        var node = _root;
        foreach (var segment in reference[2..].Split('/'))
        {
            node = node.Field(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return node;
    }

    private static JsonObject Merge(JsonArray parts)
    {
        var merged = new JsonObject();
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var part in parts.OfType<JsonObject>())
        {
            foreach (var (key, value) in part)
            {
                if (key == "properties" && value is JsonObject p)
                {
                    foreach (var (pk, pv) in p)
                    {
                        properties[pk] = pv?.DeepClone();
                    }
                }
                else if (key == "required" && value is JsonArray r)
                {
                    foreach (var item in r)
                    {
                        required.Add(item?.DeepClone());
                    }
                }
                else
                {
                    merged[key] = value?.DeepClone();
                }
            }
        }

        merged["properties"] = properties;
        merged["required"] = required;
        return merged;
    }

    private static string[] CapitalisedWords(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        // Skip each sentence's first word: "What", "Please" are capitalised by grammar, not because they name a thing.
        return [.. words.Skip(1)
            .Select(w => w.Trim('.', ',', '?', '!', ';', ':', '"', '\'', '(', ')'))
            .Where(w => w.Length > 1 && char.IsUpper(w[0]) && w.All(char.IsLetterOrDigit))
            .Distinct(StringComparer.Ordinal)];
    }

    private static string Singular(string name) => name.Length > 3 && name.EndsWith('s') ? name[..^1] : name;

    private static string Slug(string name) => new([.. name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-')]);

    private static int? Integer(JsonNode? node) => Double(node) is { } d ? (int)Math.Clamp(d, 0, 1000) : null;

    private static double? Double(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture) : null;
}
