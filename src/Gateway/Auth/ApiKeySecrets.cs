using System.Security.Cryptography;
using System.Text;

namespace Router.Gateway.Auth;

/// <summary>Generates key secrets and ids, and hashes secrets for storage and lookup.</summary>
public static class ApiKeySecrets
{
    /// <summary>Every secret starts with this, so leaked keys are easy to grep for.</summary>
    public const string SecretPrefix = "sk-router-";

    /// <summary>A new secret: the prefix and 32 random bytes (256 bits) in base64url.</summary>
    public static string NewSecret() =>
        SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A new public id (<c>key_</c> and 16 hex digits).</summary>
    public static string NewId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>
    /// Lower-case hex SHA-256 of <paramref name="secret"/>. A plain (unsalted, fast) hash is enough: the secrets are
    /// 256-bit random, so there is nothing to brute-force, and lookup by hash must be O(1) on every request.
    /// </summary>
    public static string Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The displayable start of a secret (prefix and 4 characters).</summary>
    public static string DisplayPrefix(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret[..Math.Min(secret.Length, SecretPrefix.Length + 4)];
    }
}
