using Router.Core.Arms;
using Router.Gateway.Arms;

namespace Gateway.Tests.Arms;

public sealed class ArmCatalogTests
{
    [Fact]
    public void Add_NewAndDuplicateName_AddsOnceAndRaisesChanged()
    {
        var catalog = new ArmCatalog();
        var changes = new List<ArmCatalogChangedEventArgs>();
        catalog.Changed += (_, e) => changes.Add(e);

        Assert.True(catalog.Add(Arm("a", 1)));
        Assert.False(catalog.Add(Arm("A", 2)));

        Assert.Single(catalog.Arms);
        var change = Assert.Single(changes);
        Assert.Equal(ArmCatalogChangeKind.Added, change.Kind);
        Assert.Equal(1, change.Version);
        Assert.True(catalog.TryGet("A", out var found));
        Assert.Equal(1, found.Definition.InputPricePerMillion);
    }

    [Fact]
    public void Update_ExistingArm_ReplacesInPlaceKeepingOrder()
    {
        var catalog = new ArmCatalog();
        catalog.Add(Arm("a", 1));
        catalog.Add(Arm("b", 1));
        var before = catalog.Arms;

        Assert.True(catalog.Update(Arm("a", 9)));
        Assert.False(catalog.Update(Arm("zzz", 9)));

        Assert.Equal(["a", "b"], catalog.Arms.Select(a => a.Name));
        Assert.Equal(9, catalog.Arms[0].InputPricePerMillion);
        Assert.Equal(1, before[0].InputPricePerMillion); // snapshots are immutable
        Assert.Equal(3, catalog.Version);
    }

    [Fact]
    public void Remove_KnownAndUnknown_RemovesAndReportsPrevious()
    {
        var catalog = new ArmCatalog();
        catalog.Add(Arm("a", 1));
        ArmCatalogChangedEventArgs? change = null;
        catalog.Changed += (_, e) => change = e;

        Assert.True(catalog.Remove("A"));
        Assert.False(catalog.Remove("a"));

        Assert.Empty(catalog.Arms);
        Assert.Equal(ArmCatalogChangeKind.Removed, change!.Kind);
        Assert.Equal("a", change.Previous!.Name);
        Assert.Null(change.Current);
    }

    [Fact]
    public async Task Add_ConcurrentWriters_LosesNoArm()
    {
        var catalog = new ArmCatalog();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                catalog.Add(Arm($"t{t}-{i}", i));
                _ = catalog.Arms.Count; // readers never block or tear
            }
        })));

        Assert.Equal(800, catalog.Arms.Count);
        Assert.Equal(800, catalog.Version);
    }

    private static CatalogArm Arm(string name, double price) => new()
    {
        Definition = new ArmDefinition { Name = name, Provider = ProviderKind.Simulated, InputPricePerMillion = price },
    };
}
