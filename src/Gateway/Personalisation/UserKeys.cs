using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Router.Gateway.Pipeline;

namespace Router.Gateway.Personalisation;

/// <summary>
/// Turns a request's user (or key) into the personalisation key that decisions, feedback events and the personal
/// state carry: <c>u:&lt;id&gt;</c> for an end user, <c>k:&lt;key id&gt;</c> for a virtual key, both hashed to
/// <c>h:&lt;hex&gt;</c> with <c>Router:Privacy:HashUsers</c> so the clear id is never stored or logged. Thread-safe.
/// </summary>
public sealed class UserKeys
{
    private readonly UserIdentityOptions _options;
    private readonly byte[]? _secret;

    public UserKeys(IOptions<UserIdentityOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _secret = _options.UserHashSecret is { Length: > 0 } secret ? Encoding.UTF8.GetBytes(secret) : null;
    }

    /// <summary>The key for a request; null when the source is <see cref="UserSource.None"/>, or there is no usable id.</summary>
    public string? ForRequest(GatewayRequest request, string? apiKeyId)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _options.UserSource switch
        {
            UserSource.Request when IsValid(request.UserId) => ForUser(request.UserId!),
            UserSource.Request or UserSource.ApiKey when IsValid(apiKeyId) => ForApiKey(apiKeyId!),
            _ => null,
        };
    }

    /// <summary>The key of an end-user id as the admin API takes it.</summary>
    public string ForUser(string userId) => Key("u:" + userId);

    /// <summary>The key of a virtual key id.</summary>
    public string ForApiKey(string apiKeyId) => Key("k:" + apiKeyId);

    /// <summary>
    /// A user id the gateway accepts: 1 to <see cref="UserIdentityOptions.MaxUserIdLength"/> characters, no control
    /// characters (they would end up in logs and headers) and no lone surrogates.
    /// </summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > UserIdentityOptions.MaxUserIdLength)
        {
            return false;
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= id.Length || !char.IsLowSurrogate(id[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }

    private string Key(string clear)
    {
        if (!_options.HashUsers)
        {
            return clear;
        }

        var bytes = Encoding.UTF8.GetBytes(clear);
        var hash = _secret is null ? SHA256.HashData(bytes) : HMACSHA256.HashData(_secret, bytes);
        return "h:" + Convert.ToHexStringLower(hash);
    }
}
