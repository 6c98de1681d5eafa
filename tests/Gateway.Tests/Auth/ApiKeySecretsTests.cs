using Router.Gateway.Auth;

namespace Gateway.Tests.Auth;

public sealed class ApiKeySecretsTests
{
    [Fact]
    public void Hash_KnownVector_IsLowerHexSha256() =>
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeySecrets.Hash("abc"));

    [Fact]
    public void NewSecret_ManyDraws_UniquePrefixedUrlSafe()
    {
        var secrets = Enumerable.Range(0, 200).Select(_ => ApiKeySecrets.NewSecret()).ToList();
        Assert.Equal(200, secrets.Distinct(StringComparer.Ordinal).Count());
        Assert.All(secrets, s =>
        {
            Assert.StartsWith(ApiKeySecrets.SecretPrefix, s, StringComparison.Ordinal);
            Assert.Equal(ApiKeySecrets.SecretPrefix.Length + 43, s.Length); // 32 bytes → 43 base64url chars
            Assert.DoesNotContain('+', s);
            Assert.DoesNotContain('/', s);
            Assert.DoesNotContain('=', s);
        });
        Assert.Equal(ApiKeySecrets.SecretPrefix.Length + 4, ApiKeySecrets.DisplayPrefix(secrets[0]).Length);
    }

    [Fact]
    public void AllowsArm_NullOrListed_CaseInsensitive()
    {
        var open = new ClientApiKey { Id = "k", Name = "n", SecretHash = "h", Prefix = "p" };
        Assert.True(open.AllowsArm("anything"));
        var limited = open with { AllowedArms = ["GPT-4o"] };
        Assert.True(limited.AllowsArm("gpt-4o"));
        Assert.False(limited.AllowsArm("gpt-4o-mini"));
    }
}
