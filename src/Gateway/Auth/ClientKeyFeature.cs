namespace Router.Gateway.Auth;

/// <summary>The authenticated client key of a request (in <c>HttpContext.Features</c>); absent when the gateway is open.</summary>
/// <param name="Key">The key.</param>
public sealed record ClientKeyFeature(ClientApiKey Key);
