using System.Diagnostics;

namespace Router.Training.Tests;

/// <summary>The CLI's error boundary: bad input gives one clear line and exit code 2, never a stack trace.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Evaluate_MissingFile_OneLineErrorExit2()
    {
        var (code, stderr) = await Router("evaluate", "--train", "/nonexistent/train.csv", "--test", "/nonexistent/test.csv", "--out", SharedData.NewTempFolder(), "--encoder", "hashing");

        Assert.Equal(2, code);
        Assert.Contains("router: error: bad data: /nonexistent/train.csv: no such file or folder", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_MalformedCsv_NamesFileLineColumn()
    {
        var dir = SharedData.NewTempFolder();
        var bad = Path.Combine(dir, "bad.csv");
        await File.WriteAllTextAsync(bad, ",sample_id,prompt,eval_name,m1,m1|total_cost\n0,s,\"p\",t,notanumber,0.1\n");

        var (code, stderr) = await Router("train", "--data", bad, "--out", dir, "--encoder", "hashing");

        Assert.Equal(2, code);
        Assert.Contains(bad + ":2:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_TinySubset_WritesACheckpointTheEngineLoads()
    {
        var data = SharedData.CutRouterBench(8);
        var outDir = SharedData.NewTempFolder();

        var (code, stderr) = await Router("train", "--data", data, "--out", outDir, "--encoder", "hashing");

        Assert.True(code == 0, stderr);
        var engine = global::Router.Core.Decision.MixLlmEngine.Load(Path.Combine(outDir, "checkpoint.json"));
        Assert.Equal(11, engine.Arms.Count);
        Assert.Contains("gpt-4-1106-preview", engine.Arms);
        Assert.StartsWith("hashing", engine.EncoderId, StringComparison.Ordinal);
        Assert.True(engine.CostReference > 0);
    }

    private static async Task<(int Code, string Stderr)> Router(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "router.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stderr);
    }
}
