using Spectre.Console;

namespace Router.Training.Embeddings;

/// <summary>
/// A Spectre.Console progress bar for long steps; falls back to plain lines when the output is not a terminal
/// (CI logs, tests), so redirected output stays readable.
/// </summary>
public static class ProgressUi
{
    /// <summary>When false (tests), nothing is printed.</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Runs <paramref name="work"/>, which reports progress through the callback it receives.</summary>
    public static void Run(string title, int total, Action<Action<int>> work)
    {
        if (!Enabled)
        {
            work(_ => { });
            return;
        }

        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            Console.Error.WriteLine(title + " ...");
            work(_ => { });
            return;
        }

        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));
                work(n => task.Increment(n));
                task.Value = task.MaxValue;
            });
    }
}
