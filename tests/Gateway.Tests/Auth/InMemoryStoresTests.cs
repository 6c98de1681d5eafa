using Microsoft.Extensions.Time.Testing;
using Router.Gateway.Auth;

namespace Gateway.Tests.Auth;

public sealed class InMemoryStoresTests
{
    [Fact]
    public async Task KeyStore_AddFindRevoke_TracksActiveKeys()
    {
        var store = new InMemoryApiKeyStore();
        Assert.False(await store.HasActiveKeysAsync(default));
        var key = new ClientApiKey { Id = "key_1", Name = "a", SecretHash = ApiKeySecrets.Hash("s1"), Prefix = "p" };
        await store.AddAsync(key, default);
        Assert.True(await store.HasActiveKeysAsync(default));
        Assert.Equal("key_1", (await store.FindBySecretHashAsync(ApiKeySecrets.Hash("s1"), default))!.Id);
        Assert.Null(await store.FindBySecretHashAsync(ApiKeySecrets.Hash("s2"), default));

        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.True(await store.RevokeAsync("key_1", at, default));
        Assert.True(await store.RevokeAsync("key_1", at.AddDays(1), default));
        Assert.Equal(at, (await store.GetAsync("key_1", default))!.RevokedAt); // first revocation wins
        Assert.False(await store.HasActiveKeysAsync(default));
        Assert.False(await store.RevokeAsync("key_nope", at, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddAsync(key, default));
    }

    [Fact]
    public async Task SpendLedger_ConcurrentAdds_SumExactlyAndRollOverByUtcDayAndMonth()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 31, 23, 0, 0, TimeSpan.Zero));
        var ledger = new InMemorySpendLedger(time);
        await Parallel.ForAsync(0, 1000, async (_, ct) => await ledger.AddAsync("k", 0.25, ct));
        Assert.Equal(new SpendTotals(250, 250), await ledger.GetAsync("k", default));

        time.Advance(TimeSpan.FromHours(2)); // 1 Feb: new day and new month
        Assert.Equal(new SpendTotals(0, 0), await ledger.GetAsync("k", default));
        await ledger.AddAsync("k", 1, default);
        time.Advance(TimeSpan.FromDays(1));
        await ledger.AddAsync("k", 2, default);
        Assert.Equal(new SpendTotals(2, 3), await ledger.GetAsync("k", default));
        Assert.Equal(new SpendTotals(0, 0), await ledger.GetAsync("other", default));
    }
}
