using System.Globalization;
using System.Text.Json;

namespace EndToEnd.Tests.Replicas;

/// <summary><c>router decisions export</c> (the CLI over <c>GET /admin/decisions/export</c>) against a real gateway on loopback.</summary>
public sealed class DecisionsExportCliTests : IAsyncLifetime
{
    private ReplicaHost? _gateway;

    public async Task InitializeAsync() => _gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task Export_ThreeRoutedRequests_WritesTheirDecisionsOldestFirst()
    {
        var gateway = _gateway!;
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await gateway.ChatAsync($"Export question {i}: what does fsync guarantee?")).RequestId);
        }

        await WaitForDecisionsAsync(gateway, 3);
        var file = Path.Combine(Path.GetTempPath(), "router-export-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            var (code, stdout, stderr) = await RouterCli.RunAsync("decisions", "export", "--gateway", gateway.Address.ToString(), "--admin-key", ReplicaHost.AdminKey,
                "--from", from.ToString("O", CultureInfo.InvariantCulture), "--to", DateTimeOffset.UtcNow.AddMinutes(1).ToString("O", CultureInfo.InvariantCulture), "--out", file);

            Assert.True(code == 0, stderr);
            Assert.Contains("wrote 3 records", stdout, StringComparison.Ordinal);
            var lines = await File.ReadAllLinesAsync(file);
            var exported = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(ids, exported.Select(e => e.GetProperty("requestId").GetString()));
            Assert.All(exported, e => Assert.Equal(200, e.GetProperty("outcome").GetProperty("status").GetInt32()));
            Assert.False(File.Exists(file + ".part"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Export_FutureWindow_WritesAnEmptyFile()
    {
        var file = Path.Combine(Path.GetTempPath(), "router-export-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            await _gateway!.ChatAsync("A decision before the window.");
            var (code, stdout, stderr) = await RouterCli.RunAsync("decisions", "export", "--gateway", _gateway.Address.ToString(), "--admin-key", ReplicaHost.AdminKey,
                "--from", "2100-01-01T00:00:00Z", "--out", file);

            Assert.True(code == 0, stderr);
            Assert.Contains("wrote 0 records", stdout, StringComparison.Ordinal);
            Assert.Empty(await File.ReadAllTextAsync(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--from", "yesterday", "--from must be an ISO-8601 time")]
    [InlineData("--to", "2026-13-45", "--to must be an ISO-8601 time")]
    [InlineData("--admin-key", "wrong-key", "403")]
    public async Task Export_BadInput_OneLineErrorExit2AndNoFile(string option, string value, string message)
    {
        var file = Path.Combine(Path.GetTempPath(), "router-export-" + Guid.NewGuid().ToString("N") + ".jsonl");
        var args = new List<string> { "decisions", "export", "--gateway", _gateway!.Address.ToString(), "--out", file };
        if (option != "--admin-key")
        {
            args.AddRange(["--admin-key", ReplicaHost.AdminKey]);
        }

        args.AddRange([option, value]);
        var (code, _, stderr) = await RouterCli.RunAsync([.. args]);

        Assert.Equal(2, code);
        Assert.StartsWith("router: error: ", stderr, StringComparison.Ordinal);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.False(File.Exists(file + ".part"));
    }

    private static async Task WaitForDecisionsAsync(ReplicaHost gateway, int count)
    {
        // The record is written when the request completes, just after its response.
        for (var attempt = 0; attempt < 250; attempt++)
        {
            using var response = await gateway.Admin.GetAsync("/admin/decisions?limit=10");
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (json.RootElement.GetProperty("decisions").GetArrayLength() >= count)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"the decision log did not reach {count} decisions");
    }
}
