using Router.Core.Tagging;

namespace Router.Core.Tests.Tagging;

public sealed class KMeansTests
{
    [Fact]
    public void Fit_SeparatedBlobs_RecoversGroupsDeterministically()
    {
        var (data, truth) = TagLossesTests.Blobs(perCluster: 20, clusters: 3, dimension: 8, seed: 5);
        var (labels, centroids) = KMeans.Fit(data, 8, 3, seed: 11);
        var (again, _) = KMeans.Fit(data, 8, 3, seed: 11);
        Assert.Equal(labels, again);
        Assert.Equal(3 * 8, centroids.Length);

        // Same partition up to renaming: points share a label exactly when they share a true group.
        for (var i = 0; i < truth.Length; i++)
        {
            for (var j = 0; j < truth.Length; j++)
            {
                Assert.Equal(truth[i] == truth[j], labels[i] == labels[j]);
            }
        }
    }
}
