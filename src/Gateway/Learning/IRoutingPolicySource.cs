using Router.Core.Routing;

namespace Router.Gateway.Learning;

/// <summary>The policy a routed request starts from before its own headers/body knobs: per API key over global over defaults.</summary>
public interface IRoutingPolicySource
{
    /// <summary>The effective policy for <paramref name="apiKeyId"/> (null: no key).</summary>
    RoutingPolicy For(string? apiKeyId);
}
