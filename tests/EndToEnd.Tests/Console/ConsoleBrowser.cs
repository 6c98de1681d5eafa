using EndToEnd.Tests.Replicas;
using Microsoft.Playwright;

namespace EndToEnd.Tests.Console;

/// <summary>
/// A headless Debian chromium (launched by path; Playwright downloads nothing) with one page on a replica's console,
/// and the helpers the browser tests share: log in, open a page, save a screenshot into docs/images.
/// </summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly Uri _address;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, IPage page, Uri address)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        _address = address;
    }

    /// <summary>The page.</summary>
    public IPage Page { get; }

    /// <summary>Starts chromium with a 1280×900 page on <paramref name="gateway"/>'s <c>/ui/</c> (not logged in).</summary>
    public static async Task<ConsoleBrowser> OpenAsync(ReplicaHost gateway)
    {
        Assert.True(ChromiumFactAttribute.Executable is not null, "CI=true but no chromium is installed (.ci/steps/ui.sh installs it).");
        // Pages render after their API calls; on a busy CI machine that can take longer than Playwright's 5 s default.
        Assertions.SetDefaultExpectTimeout(30_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumFactAttribute.Executable, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });

        // Revoke and Remove ask confirm(); a person would press OK.
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.GotoAsync(new Uri(gateway.Address, "/ui/").ToString());
        return new ConsoleBrowser(playwright, browser, page, gateway.Address);
    }

    /// <summary>Logs in with the admin key and waits for the Overview.</summary>
    public async Task LoginAsync()
    {
        await Page.GetByLabel("Admin key").FillAsync(ReplicaHost.AdminKey);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#card-requests .value")).ToBeVisibleAsync();
    }

    /// <summary>Opens a console page (<c>overview</c>, <c>arms</c>, <c>keys</c>, <c>policy</c>, <c>decisions</c>) afresh.</summary>
    public async Task GoToAsync(string page)
    {
        // A new hash renders the page from fresh API calls; the same hash needs a reload to do so.
        var target = new Uri(_address, "/ui/#" + page).ToString();
        if (Page.Url == target)
        {
            await Page.ReloadAsync();
        }
        else
        {
            await Page.GotoAsync(target);
        }

        // The Policy page (and the Arms page with a checkpoint) run the 48 validation prompts through the engine before they draw.
        await Assertions.Expect(Page.Locator("#page-" + page + " h1")).ToBeVisibleAsync(new() { Timeout = 60_000 });
    }

    /// <summary>Saves a full-page screenshot as <c>docs/images/console-{name}.png</c> of the repository.</summary>
    public async Task ScreenshotAsync(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln")))
        {
            dir = dir.Parent;
        }

        var images = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "docs", "images");
        Directory.CreateDirectory(images);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(images, $"console-{name}.png"), FullPage = true });
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
