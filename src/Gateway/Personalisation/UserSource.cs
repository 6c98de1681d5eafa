namespace Router.Gateway.Personalisation;

/// <summary>Where the personalisation key of a request comes from (<c>Router:Personalisation:UserSource</c>).</summary>
public enum UserSource
{
    /// <summary>The client's end-user id (OpenAI <c>user</c>, Anthropic <c>metadata.user_id</c>), else the virtual key id (default).</summary>
    Request,

    /// <summary>The virtual key id only: every caller of a key shares one preference profile.</summary>
    ApiKey,

    /// <summary>No personalisation key: routing and learning are shared only.</summary>
    None,
}
