using Router.Gateway.Auth;

namespace Router.Gateway.Admin;

/// <summary>Body of <c>POST /admin/keys</c> (camelCase JSON; every field but <c>name</c> optional).</summary>
public sealed record CreateApiKeyRequest : ApiKeySettings
{
    /// <summary>Label (required, ≤ 200 characters).</summary>
    public string? Name { get; init; }
}
