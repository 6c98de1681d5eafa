using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EndToEnd.Tests.Replicas;
using Microsoft.Playwright;

namespace EndToEnd.Tests.Console;

/// <summary>The Arms forms and live columns, the Keys page and the Decisions page, driven in headless chromium.</summary>
public sealed class ConsolePagesBrowserTests
{
    [ChromiumFact]
    public async Task Arms_LiveColumns_EditDisableAndRemoveThroughTheForms()
    {
        // A gateway started from a checkpoint (exported by another replica), so the page has predicted quality to show.
        var checkpoint = Path.Combine(Path.GetTempPath(), "router-console-arms-" + Guid.NewGuid().ToString("N") + ".json");
        await using (var exporter = await ReplicaHost.StartAsync(new Dictionary<string, string?>()))
        {
            using var export = await exporter.Admin.PostAsync("/admin/checkpoint", null);
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            await File.WriteAllBytesAsync(checkpoint, await export.Content.ReadAsByteArrayAsync());
        }

        try
        {
            await ArmsPageAsync(checkpoint);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    private static async Task ArmsPageAsync(string checkpoint)
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>
        {
            ["Router:CheckpointPath"] = checkpoint,
            ["Router:Resilience:MaxRetries"] = "0",
            ["Router:Resilience:BreakerMinimumThroughput"] = "2",
            ["Router:Resilience:BreakerBreakDuration"] = "00:05:00",
        });

        // An arm that always fails (a drill arm: simulation.failWithStatus), failed twice: its circuit opens.
        using (var added = await gateway.Admin.PostAsJsonAsync("/admin/arms", new { name = "failing-sim", provider = "simulated", inputPricePerMillion = 0.1, outputPricePerMillion = 0.2, simulation = new { failWithStatus = 503 } }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        await ConsoleBrowserTests.RetryAsync(async () =>
        {
            using var failed = await gateway.Http.PostAsync("/v1/chat/completions", Chat("failing-sim", "fail"));
            Assert.True(failed.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway, $"{(int)failed.StatusCode}");
            return 0;
        });
        using (var again = await gateway.Http.PostAsync("/v1/chat/completions", Chat("failing-sim", "fail again")))
        {
            Assert.False(again.IsSuccessStatusCode);
        }

        await using var browser = await ConsoleBrowser.OpenAsync(gateway);
        var page = browser.Page;
        await browser.LoginAsync();
        await browser.GoToAsync("arms");
        var table = page.Locator("#arms-table");
        foreach (var header in new[] { "in flight", "circuit", "predicted quality" })
        {
            await Assertions.Expect(table.Locator("thead")).ToContainTextAsync(header);
        }

        var llama = Row(page, "llama-3-8b-sim");
        await Assertions.Expect(llama.Locator("td").Nth(4)).ToHaveTextAsync("0");                  // in flight
        await Assertions.Expect(llama.Locator("td").Nth(5)).ToHaveTextAsync("closed");             // circuit
        await Assertions.Expect(llama.Locator("td").Nth(9)).ToHaveTextAsync(new Regex(@"^(0\.\d{3}|1\.000)$"));   // predicted quality
        await Assertions.Expect(Row(page, "text-embedding-3-small-sim").Locator("td").Nth(9)).ToHaveTextAsync("—");   // never scored
        await Assertions.Expect(Row(page, "failing-sim").Locator("td").Nth(5)).ToHaveTextAsync(new Regex(@"^open \(trial in \d+ s\)$"));
        await Assertions.Expect(page.Locator("#arms-note")).ToContainTextAsync($"checkpoint {Path.GetFileName(checkpoint)}");
        await Assertions.Expect(page.Locator("#arms-note")).ToContainTextAsync("over the 48 validation prompts");

        // Edit: new input price for llama-3-8b-sim, read back from the admin API.
        var edit = page.Locator("#edit-arm");
        await edit.GetByLabel("Arm").SelectOptionAsync("llama-3-8b-sim");
        await edit.GetByLabel("Input $/1M").FillAsync("0.07");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#arms-message")).ToHaveTextAsync("llama-3-8b-sim updated");
        await Assertions.Expect(Row(page, "llama-3-8b-sim").Locator("td").Nth(2)).ToHaveTextAsync(new Regex(@"^0\.07 / "));
        Assert.Equal(0.07, (await ArmAsync(gateway, "llama-3-8b-sim")).GetProperty("inputPricePerMillion").GetDouble());

        // Disable: the row says so and the registry has it.
        await Row(page, "llama-3-8b-sim").GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Assertions.Expect(page.Locator("#arms-message")).ToHaveTextAsync("llama-3-8b-sim disabled");
        await Assertions.Expect(Row(page, "llama-3-8b-sim").Locator("td").Nth(3)).ToHaveTextAsync("disabled");
        Assert.False((await ArmAsync(gateway, "llama-3-8b-sim")).GetProperty("enabled").GetBoolean());
        await browser.ScreenshotAsync("arms");

        // Remove (the page asks to confirm; the browser accepts): gone from the table and the registry.
        await Row(page, "failing-sim").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Assertions.Expect(page.Locator("#arms-message")).ToHaveTextAsync("failing-sim removed");
        await Assertions.Expect(table).Not.ToContainTextAsync("failing-sim");
        using var list = JsonDocument.Parse(await gateway.Admin.GetStringAsync("/admin/arms"));
        Assert.DoesNotContain(list.RootElement.GetProperty("arms").EnumerateArray(), a => a.GetProperty("name").GetString() == "failing-sim");

        // Enable again from the same button.
        await Row(page, "llama-3-8b-sim").GetByRole(AriaRole.Button, new() { Name = "Enable" }).ClickAsync();
        await Assertions.Expect(page.Locator("#arms-message")).ToHaveTextAsync("llama-3-8b-sim enabled");
        Assert.True((await ArmAsync(gateway, "llama-3-8b-sim")).GetProperty("enabled").GetBoolean());
    }

    [ChromiumFact]
    public async Task Keys_CreateSeeSpendAgainstCapRequestsAndRateLimit_Revoke()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        await using var browser = await ConsoleBrowser.OpenAsync(gateway);
        var page = browser.Page;
        await browser.LoginAsync();
        await browser.GoToAsync("keys");

        var create = page.Locator("#create-key");
        await create.GetByLabel("Name").FillAsync("team-console");
        await create.GetByLabel("Daily cap $").FillAsync("5");
        await create.GetByLabel("Requests/min").FillAsync("100");
        await create.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Assertions.Expect(page.Locator("#keys-message")).ToHaveTextAsync(new Regex(@"^key_\S+ created$"));
        var shown = await page.Locator("#new-secret").TextContentAsync();
        var secret = Regex.Match(shown!, @"\(shown once\): (\S+)$").Groups[1].Value;
        var id = Regex.Match(shown!, @"^Secret of (\S+) ").Groups[1].Value;
        Assert.NotEmpty(secret);

        using var client = new HttpClient { BaseAddress = gateway.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", Chat("auto", $"key traffic {i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Spend and usage are recorded just after each response: wait for both before reading the page.
        await UsageApiTests.WaitForTotalAsync(gateway, "/admin/usage?bucket=1d&group_by=key", 3);
        await SpendRecordedAsync(gateway, id);
        await browser.GoToAsync("keys");
        var row = page.Locator("#keys-table tbody tr", new() { HasText = "team-console" });
        await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("active");
        await Assertions.Expect(row.Locator("td").Nth(4)).ToHaveTextAsync(new Regex(@"^\$0\.0*[1-9]\d* of \$5\.00$"));   // spend today against the cap
        await Assertions.Expect(row.Locator("td").Nth(5)).ToHaveTextAsync(new Regex(@"^\$0\.0*[1-9]\d*$"));              // no monthly cap
        await Assertions.Expect(row.Locator("td").Nth(6)).ToHaveTextAsync("3");                                            // requests today
        await Assertions.Expect(row.Locator("td").Nth(7)).ToHaveTextAsync("3");                                            // this month
        await Assertions.Expect(row.Locator("td").Nth(8)).ToHaveTextAsync("100 requests/min");
        await browser.ScreenshotAsync("keys");

        // Revoking the last active key would reopen /v1 to loopback clients (the keyless start-up mode): keep another.
        using (var other = await gateway.Admin.PostAsJsonAsync("/admin/keys", new { name = "team-other" }))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.Locator("#keys-message")).ToHaveTextAsync($"{id} revoked");
        await Assertions.Expect(page.Locator("#keys-table tbody tr", new() { HasText = "team-console" }).Locator("td").Nth(3)).ToHaveTextAsync("revoked");
        using var refused = await client.PostAsync("/v1/chat/completions", Chat("auto", "after revoke"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [ChromiumFact]
    public async Task Decisions_RowsWithArmAndScores_SearchByRequestId_FeedbackShown()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        var sent = new List<(string Id, string Arm)>();
        for (var i = 0; i < 4; i++)
        {
            var (id, arm, _) = await gateway.ChatAsync($"decision page question {i}: why is the sky blue?");
            sent.Add((id, arm));
        }

        await using var browser = await ConsoleBrowser.OpenAsync(gateway);
        var page = browser.Page;
        await browser.LoginAsync();
        await browser.GoToAsync("decisions");
        var rows = page.Locator("#decision-results tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(4);

        // Newest first: request id, chosen arm, a score for every chat arm, the outcome.
        var newest = rows.First;
        await Assertions.Expect(newest.Locator("td").Nth(1)).ToHaveTextAsync(sent[3].Id);
        await Assertions.Expect(newest.Locator("td").Nth(5)).ToHaveTextAsync(sent[3].Arm);
        foreach (var arm in new[] { "gpt-4o-sim", "gpt-4o-mini-sim", "llama-3-8b-sim" })
        {
            await Assertions.Expect(newest.Locator("td").Nth(7)).ToContainTextAsync(new Regex(Regex.Escape(arm) + @": -?\d+\.\d{3}"));
        }

        await Assertions.Expect(newest.Locator("td").Nth(8)).ToHaveTextAsync("200");
        await Assertions.Expect(newest.Locator("td").Nth(11)).ToHaveTextAsync("");   // no feedback yet

        // Search by request id: exactly that request.
        var search = page.Locator("#decision-search");
        await search.GetByLabel("Request id").FillAsync(sent[1].Id);
        await search.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First.Locator("td").Nth(1)).ToHaveTextAsync(sent[1].Id);
        await Assertions.Expect(rows.First.Locator("td").Nth(5)).ToHaveTextAsync(sent[1].Arm);

        // Feedback posted by the client shows on the request's row.
        var (status, body) = await gateway.FeedbackAsync(new { request_id = sent[1].Id, score = 0.75 });
        Assert.True(status == HttpStatusCode.Accepted, body);
        await search.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(rows.First.Locator("td").Nth(11)).ToHaveTextAsync("score 0.75");
        await Assertions.Expect(rows).ToHaveCountAsync(1);

        // Cleared search: all four again, the feedback on its row.
        await search.GetByLabel("Request id").FillAsync("");
        await search.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await Assertions.Expect(rows.Nth(2).Locator("td").Nth(11)).ToHaveTextAsync("score 0.75");

        // An unknown request id finds nothing.
        await search.GetByLabel("Request id").FillAsync("req_unknown");
        await search.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(0);
        await search.GetByLabel("Request id").FillAsync("");
        await search.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await browser.ScreenshotAsync("decisions");
    }

    private static ILocator Row(IPage page, string arm) =>
        page.Locator("#arms-table tbody tr").Filter(new() { Has = page.Locator("td:first-child", new() { HasTextRegex = new Regex("^" + Regex.Escape(arm) + "$") }) });

    private static StringContent Chat(string model, string text) => new(
        JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = text } } }), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ArmAsync(ReplicaHost gateway, string name)
    {
        using var list = JsonDocument.Parse(await gateway.Admin.GetStringAsync("/admin/arms"));
        return list.RootElement.GetProperty("arms").EnumerateArray().Single(a => a.GetProperty("name").GetString() == name).Clone();
    }

    private static async Task SpendRecordedAsync(ReplicaHost gateway, string keyId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var keys = JsonDocument.Parse(await gateway.Admin.GetStringAsync("/admin/keys"));
            var key = keys.RootElement.GetProperty("data").EnumerateArray().Single(k => k.GetProperty("id").GetString() == keyId);
            if (key.TryGetProperty("spendTodayUsd", out var spend) && spend.ValueKind == JsonValueKind.Number && spend.GetDouble() > 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the key's spend was never recorded");
            await Task.Delay(20);
        }
    }
}
