using System.Diagnostics;

namespace Router.Testing;

/// <summary>Runs the <c>router</c> CLI (router.dll, copied beside the test assembly by its project reference) as a child process.</summary>
public static class RouterCli
{
    /// <summary>Runs <c>dotnet router.dll args…</c> and returns its exit code and both output streams, read concurrently.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "router.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, stdout, await stderr);
    }
}
