namespace Router.Testing;

/// <summary>
/// A fact that needs the full public data (<see cref="TestData.Full"/>): skipped loudly when it is missing, unless
/// CI=true or ROUTER_REQUIRE_DATA=1, where it runs and fails. Tests that fit in the committed fixtures use a plain
/// <see cref="FactAttribute"/> and <see cref="TestData.Fixtures"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataFactAttribute : FactAttribute
{
    public DataFactAttribute()
    {
        if (TestData.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
