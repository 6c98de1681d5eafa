using Router.Core.Arms;

namespace Router.Core.State;

/// <summary>Argument checks shared by the registry stores (the admin API validates fields before; this guards the key).</summary>
internal static class RegistryArgs
{
    public static void CheckArm(ArmDefinition arm)
    {
        ArgumentNullException.ThrowIfNull(arm);
        if (string.IsNullOrWhiteSpace(arm.Name))
        {
            throw new ArgumentException("An arm needs a name.", nameof(arm));
        }
    }

    public static void CheckArms(IReadOnlyList<ArmDefinition> arms)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var arm in arms)
        {
            CheckArm(arm);
            if (!names.Add(arm.Name))
            {
                throw new ArgumentException($"Arm '{arm.Name}' is listed twice.", nameof(arms));
            }
        }
    }
}
