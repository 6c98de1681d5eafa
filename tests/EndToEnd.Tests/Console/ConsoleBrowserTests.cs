using System.Text.Json;
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
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GotoAsync(new Uri(gateway.Address, "/ui/").ToString());
        await page.GetByLabel("Admin key").FillAsync(ReplicaHost.AdminKey);
        await Screenshot(page, "login");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#card-requests .value")).ToHaveTextAsync("0");

        // Arms page lists the shipped arms.
        await page.GotoAsync(new Uri(gateway.Address, "/ui/#arms").ToString());
        var arms = page.Locator("#arms-table");
        foreach (var arm in new[] { "gpt-4o-sim", "gpt-4o-mini-sim", "llama-3-8b-sim", "text-embedding-3-small-sim" })
        {
            await Assertions.Expect(arms).ToContainTextAsync(arm);
        }

        // 20 routed requests move the Overview counters and the routed-share chart.
        for (var i = 0; i < 20; i++)
        {
            await gateway.ChatAsync($"console traffic {i}: what is {i} squared?");
        }

        await UsageApiTests.WaitForTotalAsync(gateway, "/admin/usage?bucket=1m&group_by=arm", 20);
        await page.GotoAsync(new Uri(gateway.Address, "/ui/#overview").ToString());
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#card-requests .value")).ToHaveTextAsync("20");
        var share = page.Locator("#chart-share");
        await Assertions.Expect(share).Not.ToHaveAttributeAsync("data-points", "0");
        await Assertions.Expect(share.Locator("canvas")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#share-table")).ToContainTextAsync("%");
        await Screenshot(page, "overview");

        // Hot-add an arm through the form; a request pinned to it by name is served by it.
        await page.GotoAsync(new Uri(gateway.Address, "/ui/#arms").ToString());
        await Assertions.Expect(arms).ToContainTextAsync("gpt-4o-sim");
        var form = page.Locator("#add-arm");
        await form.GetByLabel("Name").FillAsync("console-added-sim");
        await form.GetByLabel("Provider").SelectOptionAsync("simulated");
        await form.GetByLabel("Input $/1M").FillAsync("0.01");
        await form.GetByLabel("Output $/1M").FillAsync("0.02");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add arm" }).ClickAsync();
        await Assertions.Expect(page.Locator("#arms-message")).ToHaveTextAsync("console-added-sim added");
        await Assertions.Expect(arms).ToContainTextAsync("console-added-sim");
        await Screenshot(page, "arms");
        var (_, servedBy, _) = await RetryAsync(() => gateway.ChatAsync("hello new arm", model: "console-added-sim"));
        Assert.Equal("console-added-sim", servedBy);

        // Change λ on the Policy page and read it back from the admin API.
        await page.GotoAsync(new Uri(gateway.Address, "/ui/#policy").ToString());
        await page.Locator("#lambda").FillAsync("2.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save λ" }).ClickAsync();
        await Assertions.Expect(page.Locator("#policy-message")).ToContainTextAsync("λ set to 2.5");
        await Assertions.Expect(page.Locator("#frontier-table")).ToContainTextAsync("2.5 (current)");
        using (var policy = JsonDocument.Parse(await gateway.Admin.GetStringAsync("/admin/policy")))
        {
            Assert.Equal(2.5, policy.RootElement.GetProperty("global").GetProperty("lambda").GetDouble());
        }

        await Screenshot(page, "policy");
        await page.GotoAsync(new Uri(gateway.Address, "/ui/#keys").ToString());
        await Assertions.Expect(page.Locator("#keys-table")).ToBeVisibleAsync();
        await Screenshot(page, "keys");

        // Logging out clears the cookie: the admin API refuses the page again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Admin key")).ToBeVisibleAsync();
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/admin/arms', { headers: { 'X-Router-Console': '1' } })).status");
        Assert.Equal(401, status);
    }

    [ChromiumFact]
    public async Task Console_WrongKey_ShowsErrorAndNoData()
    {
        await using var gateway = await ReplicaHost.StartAsync(new Dictionary<string, string?>());
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(gateway.Address, "/ui/").ToString());
        await page.GetByLabel("Admin key").FillAsync("not-the-admin-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("Wrong admin key.");
        await Assertions.Expect(page.Locator("#nav")).ToBeHiddenAsync();
        Assert.Equal(0, await page.Locator("#page table, #page .card").CountAsync());
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/admin/usage', { headers: { 'X-Router-Console': '1' } })).status");
        Assert.Equal(401, status);
        await Screenshot(page, "wrong-key");
    }

    private static async Task<IBrowser> LaunchAsync()
    {
        Assert.True(ChromiumFactAttribute.Executable is not null, "CI=true but no chromium is installed (.ci/steps/ui.sh installs it).");
        var playwright = await Playwright.CreateAsync();
        return await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumFactAttribute.Executable, Headless = true, Args = ["--no-sandbox"] });
    }

    // The hot-added arm reaches this replica's catalog through the registry watcher: poll (bounded) until it routes.
    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
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

    private static async Task Screenshot(IPage page, string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln")))
        {
            dir = dir.Parent;
        }

        var images = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "docs", "images");
        Directory.CreateDirectory(images);
        await page.ScreenshotAsync(new() { Path = Path.Combine(images, $"console-{name}.png"), FullPage = true });
    }
}
