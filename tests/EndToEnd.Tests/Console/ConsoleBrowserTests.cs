using System.Text.Json;
using System.Text.RegularExpressions;
using EndToEnd.Tests.Replicas;
using Microsoft.Playwright;

namespace EndToEnd.Tests.Console;

/// <summary>The ops console in a real headless chromium (Debian's, launched by path; Playwright downloads nothing).</summary>
public sealed class ConsoleBrowserTests
{
    [ChromiumFact]
    public async Task Console_LoginArmsTrafficHotAddAndLambda_AllThroughThePage()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        await using var browser = await ConsoleBrowser.OpenAsync(gateway);
        var page = browser.Page;
        await page.GetByLabel("Admin key").FillAsync(ReplicaHost.AdminKey);
        await browser.ScreenshotAsync("login");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#card-requests .value")).ToHaveTextAsync("0");

        // Arms page lists the shipped arms.
        await browser.GoToAsync("arms");
        var arms = page.Locator("#arms-table");
        foreach (var arm in new[] { "gpt-4o-sim", "gpt-4o-mini-sim", "llama-3-8b-sim", "text-embedding-3-small-sim" })
        {
            await Assertions.Expect(arms).ToContainTextAsync(arm);
        }

        // An engine that started untrained has no predicted quality to show; every circuit is closed, nothing in flight.
        var llama = arms.Locator("tbody tr", new() { HasText = "llama-3-8b-sim" });
        await Assertions.Expect(llama.Locator("td").Nth(4)).ToHaveTextAsync("0");
        await Assertions.Expect(llama.Locator("td").Nth(5)).ToHaveTextAsync("closed");
        await Assertions.Expect(llama.Locator("td").Nth(9)).ToHaveTextAsync("no checkpoint");
        await Assertions.Expect(page.Locator("#arms-note")).ToContainTextAsync("needs a checkpoint");

        // 20 routed requests move the Overview counters and the routed-share chart.
        for (var i = 0; i < 20; i++)
        {
            await gateway.ChatAsync($"console traffic {i}: what is {i} squared?");
        }

        await UsageApiTests.WaitForTotalAsync(gateway, "/admin/usage?bucket=1m&group_by=arm", 20);
        await browser.GoToAsync("overview");
        await Assertions.Expect(page.Locator("#card-requests .value")).ToHaveTextAsync("20");
        await Assertions.Expect(page.Locator("#card-errors .value")).ToHaveTextAsync("0.0%");
        var share = page.Locator("#chart-share");
        await Assertions.Expect(share).Not.ToHaveAttributeAsync("data-points", "0");
        await Assertions.Expect(share.Locator("canvas")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#share-table")).ToContainTextAsync("%");

        // Every Overview chart is drawn: rate, error rate, latency p50/p99, spend per arm, routed share.
        foreach (var chart in new[] { "#chart-rate", "#chart-error-rate", "#chart-latency", "#chart-spend", "#chart-share" })
        {
            await Assertions.Expect(page.Locator(chart + " canvas")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator(chart)).Not.ToHaveAttributeAsync("data-points", "0");
        }

        // Shares and error rates are percentages: their axes run 0–100%.
        foreach (var chart in new[] { "#chart-share", "#chart-error-rate" })
        {
            await Assertions.Expect(page.Locator(chart)).ToHaveAttributeAsync("data-y-ticks", new Regex(@"^0%\|.*\|100%$"));
        }

        await Assertions.Expect(page.Locator("#chart-latency")).ToHaveAttributeAsync("data-series", "p50 (request-weighted over arms),p99 (max over arms)");

        // The spend axis is in dollars, with as many decimals as its tick step needs, and no two ticks alike.
        await Assertions.Expect(page.Locator("#chart-spend")).ToHaveAttributeAsync("data-y-ticks", new Regex(@"^\$"));
        var spendTicks = (await page.Locator("#chart-spend").GetAttributeAsync("data-y-ticks"))!.Split('|');
        Assert.True(spendTicks.Length >= 2, string.Join(" ", spendTicks));
        Assert.All(spendTicks, t => Assert.Matches(@"^\$\d+\.\d{2,12}$", t));
        Assert.Equal(spendTicks.Length, spendTicks.Distinct().Count());
        await Assertions.Expect(page.Locator("#card-lambda .value")).Not.ToHaveTextAsync("—");
        await Assertions.Expect(page.Locator("#card-cost-1k .value")).ToHaveTextAsync(new Regex(@"^\$\d"));
        await browser.ScreenshotAsync("overview");

        // The range picker switches to 1-hour buckets over the last day and week.
        foreach (var range in new[] { "day", "week" })
        {
            await page.Locator("#range").SelectOptionAsync(range);
            await Assertions.Expect(page.Locator("#card-requests .value")).ToHaveTextAsync("20");
        }

        await page.Locator("#range").SelectOptionAsync("hour");

        // Hot-add an arm through the form; a request pinned to it by name is served by it.
        await browser.GoToAsync("arms");
        await Assertions.Expect(arms).ToContainTextAsync("gpt-4o-sim");
        var form = page.Locator("#add-arm");
        await form.GetByLabel("Name").FillAsync("console-added-sim");
        await form.GetByLabel("Provider").SelectOptionAsync("simulated");
        await form.GetByLabel("Input $/1M").FillAsync("0.01");
        await form.GetByLabel("Output $/1M").FillAsync("0.02");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add arm" }).ClickAsync();
        await Assertions.Expect(page.Locator("#arms-message")).ToHaveTextAsync("console-added-sim added");
        await Assertions.Expect(arms).ToContainTextAsync("console-added-sim");
        var (_, servedBy, _) = await RetryAsync(() => gateway.ChatAsync("hello new arm", model: "console-added-sim"));
        Assert.Equal("console-added-sim", servedBy);

        // Change λ on the Policy page and read it back from the admin API.
        await browser.GoToAsync("policy");
        await page.Locator("#lambda").FillAsync("2.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save λ" }).ClickAsync();
        await Assertions.Expect(page.Locator("#policy-message")).ToContainTextAsync("λ set to 2.5");
        await Assertions.Expect(page.Locator("#frontier-table")).ToContainTextAsync("2.5 (current)");
        using (var policy = JsonDocument.Parse(await gateway.Admin.GetStringAsync("/admin/policy")))
        {
            Assert.Equal(2.5, policy.RootElement.GetProperty("global").GetProperty("lambda").GetDouble());
        }

        await browser.ScreenshotAsync("policy");

        // Logging out clears the cookie: the admin API refuses the page again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Admin key")).ToBeVisibleAsync();
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "router_console");
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/admin/arms', { headers: { 'X-Router-Console': '1' } })).status");
        Assert.Equal(401, status);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel("Admin key")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#nav")).ToBeHiddenAsync();
    }

    [ChromiumFact]
    public async Task Console_WrongKey_ShowsErrorAndNoData()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        await gateway.ChatAsync("traffic the page must not show");
        await using var browser = await ConsoleBrowser.OpenAsync(gateway);
        var page = browser.Page;
        await page.GetByLabel("Admin key").FillAsync("not-the-admin-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("Wrong admin key.");
        await Assertions.Expect(page.Locator("#nav")).ToBeHiddenAsync();
        Assert.Equal(0, await page.Locator("#page table, #page .card, #page canvas").CountAsync());
        await Assertions.Expect(page.Locator("#page")).ToBeEmptyAsync();
        Assert.Empty(await page.Context.CookiesAsync());
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/admin/usage', { headers: { 'X-Router-Console': '1' } })).status");
        Assert.Equal(401, status);

        // Going to a page by its address does not get round the login either.
        await page.GotoAsync(new Uri(gateway.Address, "/ui/#arms").ToString());
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel("Admin key")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#page table, #page .card, #page canvas").CountAsync());
        await page.GetByLabel("Admin key").FillAsync("not-the-admin-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("Wrong admin key.");
        await browser.ScreenshotAsync("wrong-key");
    }

    [ChromiumFact]
    public async Task Console_MoneyFormatting_SensiblePrecision()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        await using var browser = await ConsoleBrowser.OpenAsync(gateway);

        // The page's own formatting module, run in the browser.
        var formatted = await browser.Page.EvaluateAsync<string[]>("""
            async () => {
              const { usd, usdTicks } = await import('./api.js');
              return [usd(0.0000858), usd(0.00000123), usd(0.0123), usd(0.5), usd(12.3456), usd(0), usd(null),
                ...usdTicks([0, 0.00002, 0.00004], 0.00002), ...usdTicks([0, 0.5, 1], 0.5), ...usdTicks([0.001, 0.0015], 0.0005)];
            }
            """);
        Assert.Equal(
            ["$0.0000858", "$0.00000123", "$0.0123", "$0.5000", "$12.35", "$0.00", "—",
             "$0.00000", "$0.00002", "$0.00004", "$0.00", "$0.50", "$1.00", "$0.0010", "$0.0015"],
            formatted);
    }

    // The hot-added arm reaches this replica's catalog through the registry watcher: poll (bounded) until it routes.
    internal static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }
}
