using System.CommandLine;
using Router.Training.Data;

namespace Router.Training.Commands;

/// <summary>Shared option shapes and the error boundary of every command: a clear one-line message and exit code 2, never a stack trace.</summary>
internal static class Cli
{
    public static Option<string[]> PathsOption(string name, string description, bool required) => new(name)
    {
        Description = description,
        Required = required,
        AllowMultipleArgumentsPerToken = true,
        Arity = required ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore,
    };

    /// <summary>Runs a command body; expected failures (bad data, bad arguments, missing files) print one line and return 2.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (DatasetFormatException e)
        {
            return Fail("bad data: " + e.Message);
        }
        catch (OperationCanceledException)
        {
            return Fail("cancelled");
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException or InvalidDataException or HttpRequestException)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>Reports command-line parse errors (unknown option, missing value, unparsable number) as usage errors: exit code 2.</summary>
    public static int ParseErrors(ParseResult parse)
    {
        foreach (var error in parse.Errors)
        {
            Console.Error.WriteLine("router: error: " + error.Message);
        }

        var command = parse.CommandResult.Command;
        var name = command is RootCommand ? "router" : "router " + command.Name;
        Console.Error.WriteLine($"(see '{name} --help')");
        return 2;
    }

    /// <summary>Rejects a bad option value before any work is done (NaN and infinities fail every range check here).</summary>
    public static void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new ArgumentException(message);
        }
    }

    /// <summary>True for a finite number in [<paramref name="min"/>, <paramref name="max"/>]; false for NaN and infinities.</summary>
    public static bool InRange(double value, double min, double max = double.MaxValue) => double.IsFinite(value) && value >= min && value <= max;

    /// <summary>Creates the <c>--out</c> folder up front, so a bad place fails before minutes of work, not after.</summary>
    public static string OutputFolder(string? path)
    {
        Check(!string.IsNullOrWhiteSpace(path), "--out must name a folder");
        Check(!File.Exists(path), $"--out '{path}' is a file, not a folder");
        try
        {
            Directory.CreateDirectory(path!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ArgumentException($"--out '{path}': cannot create the folder: {e.Message}", e);
        }

        return path!;
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine("router: error: " + message);
        return 2;
    }
}
