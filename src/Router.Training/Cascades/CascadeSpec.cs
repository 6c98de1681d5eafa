namespace Router.Training.Cascades;

/// <summary>
/// An answer-consistency cascade (FrugalGPT-style; Yue et al., ICLR 2024, "Large Language Model Cascades with Mixture of
/// Thoughts Representations"): call every member, return the first member's answer when all members give the same
/// short answer, else call the escalation arm and return its answer. Written <c>A+B&gt;E</c>, each name an arm's full
/// name or a substring that matches exactly one arm (case-insensitive).
/// </summary>
/// <param name="Name">Display name: the members' and escalation arm's short names, e.g. <c>Yi-34B-Chat+mixtral-8x7b-chat&gt;gpt-4-1106-preview</c>.</param>
/// <param name="Members">Indices of the members in the data set's arms (at least two).</param>
/// <param name="Escalation">Index of the escalation arm.</param>
internal sealed record CascadeSpec(string Name, IReadOnlyList<int> Members, int Escalation)
{
    /// <summary>Parses <c>A+B[+C...]&gt;E</c> against the data set's arm names.</summary>
    /// <exception cref="ArgumentException">Malformed, or a name that matches no arm or several.</exception>
    public static CascadeSpec Parse(string text, IReadOnlyList<string> arms)
    {
        var parts = text.Split('>');
        if (parts.Length != 2)
        {
            throw new ArgumentException($"--cascade '{text}': expected MEMBER+MEMBER[+...]>ESCALATION");
        }

        var members = parts[0].Split('+').Select(m => Find(m, arms, text)).ToList();
        if (members.Count < 2 || members.Distinct().Count() != members.Count)
        {
            throw new ArgumentException($"--cascade '{text}': needs at least two different members");
        }

        var escalation = Find(parts[1], arms, text);
        if (members.Contains(escalation))
        {
            throw new ArgumentException($"--cascade '{text}': the escalation arm is also a member");
        }

        var name = string.Join('+', members.Select(m => Short(arms[m]))) + ">" + Short(arms[escalation]);
        return new CascadeSpec(name, members, escalation);
    }

    private static string Short(string arm) => arm[(arm.LastIndexOf('/') + 1)..];

    private static int Find(string name, IReadOnlyList<string> arms, string spec)
    {
        var n = name.Trim();
        for (var i = 0; i < arms.Count; i++)
        {
            if (string.Equals(arms[i], n, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        var matches = Enumerable.Range(0, arms.Count).Where(i => n.Length > 0 && arms[i].Contains(n, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ArgumentException($"--cascade '{spec}': no arm matches '{n}' (arms: {string.Join(", ", arms)})"),
            _ => throw new ArgumentException($"--cascade '{spec}': '{n}' matches several arms: {string.Join(", ", matches.Select(i => arms[i]))}"),
        };
    }
}
