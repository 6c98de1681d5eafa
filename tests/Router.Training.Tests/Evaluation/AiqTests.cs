using Router.Training.Evaluation;

namespace Router.Training.Tests.Evaluation;

public sealed class AiqTests
{
    [Fact]
    public void Compute_DecreasingTail_IsCutAndExtendedFlat()
    {
        // Hull (1, .5) → (2, .8); (3, .7) is dearer and worse. Area: 1·(.5+.8)/2 + (4−2)·.8 = 2.25; / 4.
        var aiq = Aiq.Compute([(1, 0.5), (2, 0.8), (3, 0.7)], 4);

        Assert.Equal(0.5625, aiq, 12);
    }

    [Fact]
    public void Compute_PointBelowChord_IsRemovedByTheHull()
    {
        // (1, .1) lies under the chord (0, 0)–(2, 1): area 2·(0+1)/2 = 1; / 2.
        var aiq = Aiq.Compute([(0, 0), (1, 0.1), (2, 1)], 2);

        Assert.Equal(0.5, aiq, 12);
    }

    [Fact]
    public void Compute_SinglePoint_IsFlatFromItsCostToTheMax()
    {
        Assert.Equal(0.6 * 3 / 4, Aiq.Compute([(1, 0.6)], 4), 12);
        Assert.Equal(0, Aiq.Compute([(4, 0.9)], 4), 12);
    }

    [Fact]
    public void Hull_DuplicateCosts_KeepsTheBetterQuality()
    {
        var hull = Aiq.Hull([(1, 0.2), (1, 0.6), (2, 0.7)]);

        Assert.Equal([(1.0, 0.6), (2.0, 0.7)], hull);
    }
}
