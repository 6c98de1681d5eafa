using System.Text.Json;
using Router.Core.Personalisation;
using Router.Training.Embeddings;
using Router.Training.Evaluation;
using Router.Training.Simulation;

namespace Router.Training.Commands;

/// <summary>
/// The <c>--personas</c> mode of <c>router simulate</c>: the three variants (shared only, + residuals, + factors) of
/// <see cref="PersonaSimulator"/> on the same users and queries; writes <c>personas.md</c>, <c>personas.json</c> and
/// <c>personas.png</c>.
/// </summary>
internal static class PersonaSimulation
{
    public static void Run(ExperimentData exp, int referenceArm, PolicyCatalog.MixLlmSettings settings, PersonaSimulationOptions options,
        string folder, List<string> notes, string command, CancellationToken cancellationToken)
    {
        var sim = new PersonaSimulator(exp.Train, exp.Test, referenceArm, settings, options);
        var results = new List<PersonaVariantResult>();
        (string Name, PersonalisationMode? Mode)[] variants =
        [
            (PersonaReport.Shared, null),
            (PersonaReport.Residuals, PersonalisationMode.Residuals),
            (PersonaReport.Factors, PersonalisationMode.ResidualsAndFactors),
        ];
        ProgressUi.Run("Simulating personas", variants.Length, advance =>
        {
            foreach (var (name, mode) in variants)
            {
                results.Add(sim.Run(name, mode, cancellationToken));
                advance(1);
            }
        });

        var reference = exp.Test.Data.Arms[referenceArm];
        notes.Add($"train {exp.Train.N} queries (half offline, half the users' query pool), test {exp.Test.N}; encoder {exp.EncoderId}; seed {options.Seed}");
        notes.Add("the personal model learns reward − p̂ unclamped: vendor-loyal (up to 1.3) and harsh-coder (2 on a correct mbpp answer) exceed the gateway's [0, 1] feedback score; in the gateway the same users would send the clamped score");
        File.WriteAllText(Path.Combine(folder, "personas.json"), JsonSerializer.Serialize(new
        {
            reference_arm = reference,
            lambda = sim.Lambda,
            options = new { options.UsersPerPersona, options.EventsPerUser, options.NewUserRatings, options.OfflineShare, options.BudgetPct, options.Seed, options.Personalisation },
            notes,
            results = results.Select(r => new
            {
                variant = r.Variant,
                kappa = r.Kappa,
                curve = r.Curve.Select(c => new { events = c.Events, scores = c.Scores }),
                new_users = r.NewUsers,
            }),
        }, ReportWriter.JsonOptions));
        PersonaReport.Plot(results, Path.Combine(folder, "personas.png"));
        var md = PersonaReport.Markdown(results, options, sim.Lambda, reference, notes, command);
        File.WriteAllText(Path.Combine(folder, "report.md"), md);
        Console.WriteLine(md);
    }
}
