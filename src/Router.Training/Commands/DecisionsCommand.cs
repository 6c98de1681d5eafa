using System.CommandLine;
using System.Globalization;
using Router.Training.Autopilot;

namespace Router.Training.Commands;

/// <summary>
/// <c>router decisions export --gateway &lt;url&gt; --admin-key &lt;k&gt; [--from T] [--to T] --out log.jsonl</c>: the CLI
/// side of <c>GET /admin/decisions/export</c> (decisions in [from, to) with their feedback, JSONL, the input of
/// <c>router ope --log</c>). Times are ISO-8601; a bad one is rejected here, before any request.
/// </summary>
internal static class DecisionsCommand
{
    public static Command Create()
    {
        var gateway = new Option<string>("--gateway") { Description = "the gateway's base URL, e.g. http://127.0.0.1:5000", Required = true };
        var adminKey = new Option<string>("--admin-key") { Description = "the gateway's admin key (Router:AdminKey)", Required = true };
        var from = new Option<string?>("--from") { Description = "first decision time, ISO-8601 (default: the oldest kept)" };
        var to = new Option<string?>("--to") { Description = "end of the window, exclusive, ISO-8601 (default: now)" };
        var output = new Option<string>("--out") { Description = "the JSONL file to write", Required = true };
        var export = new Command("export", "export the gateway's decision log (GET /admin/decisions/export) to a JSONL file")
        {
            gateway, adminKey, from, to, output,
        };
        export.SetAction((parse, ct) => Cli.GuardAsync(async () =>
        {
            var url = parse.GetValue(gateway)!;
            Cli.Check(Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) && baseUri.Scheme is "http" or "https", "--gateway must be an http(s) URL");
            var key = parse.GetValue(adminKey)!;
            Cli.Check(key.Length > 0, "--admin-key must not be empty");
            var start = Time(parse.GetValue(from), "--from");
            var end = Time(parse.GetValue(to), "--to");
            Cli.Check(start is null || end is null || start < end, "--from must be before --to");
            var path = parse.GetValue(output)!;
            Cli.Check(path.Length > 0 && !Directory.Exists(path), "--out must name a file");

            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(10) };
            var client = new GatewayAdminClient(http, key);
            var temporary = path + ".part";
            long bytes;
            try
            {
                await using var file = File.Create(temporary);
                bytes = await client.ExportAsync(start, end, file, ct);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }

            // Written whole or not at all: a failed or cancelled export leaves no truncated log behind.
            File.Move(temporary, path, overwrite: true);
            var lines = File.ReadLines(path).Count(l => l.Length > 0);
            Console.WriteLine($"wrote {lines} records ({bytes} bytes) to {path}");
            return 0;
        }));
        return new Command("decisions", "the gateway's decision log") { export };
    }

    private static DateTimeOffset? Time(string? value, string option)
    {
        if (value is null)
        {
            return null;
        }

        Cli.Check(DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time),
            $"{option} must be an ISO-8601 time, e.g. 2026-12-01T00:00:00Z");
        return time;
    }
}
