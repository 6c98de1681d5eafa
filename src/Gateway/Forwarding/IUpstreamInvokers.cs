using Router.Gateway.Arms;

namespace Router.Gateway.Forwarding;

/// <summary>
/// One outbound <see cref="HttpMessageInvoker"/> per arm (STYLE.md #13: no socket exhaustion), rebuilt when the arm
/// changes. Simulated arms get an in-process handler, so every arm goes through the same YARP forwarding path.
/// Thread-safe.
/// </summary>
public interface IUpstreamInvokers
{
    /// <summary>The invoker for <paramref name="arm"/>'s upstream.</summary>
    HttpMessageInvoker Get(CatalogArm arm);
}
