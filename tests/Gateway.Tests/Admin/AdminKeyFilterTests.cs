using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Router.Gateway.Admin;
using Router.Gateway.Configuration;

namespace Gateway.Tests.Admin;

/// <summary>
/// Component tests of the admin key filter on <see cref="DefaultHttpContext"/>: header values a client library or
/// Kestrel would trim before they reach the filter (trailing whitespace) can still arrive from other hosts.
/// </summary>
public sealed class AdminKeyFilterTests
{
    [Theory]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("Bearer \t ")]
    [InlineData("bearer  ")]
    public async Task Invoke_BearerWithOnlyWhitespace_401(string authorization)
    {
        var (status, nextCalled, context) = await RunAsync(authorization);

        // No credential is 401 (send one), not 403 (the one sent is wrong).
        Assert.Equal(StatusCodes.Status401Unauthorized, status);
        Assert.False(nextCalled);
        Assert.Equal("Bearer", context.Response.Headers.WWWAuthenticate.ToString());
    }

    [Theory]
    [InlineData("Bearer not-the-key", StatusCodes.Status403Forbidden)]
    [InlineData("Bearer  the-admin-key ", StatusCodes.Status200OK)]
    public async Task Invoke_BearerWithToken_ComparesTrimmedToken(string authorization, int expected)
    {
        var (status, nextCalled, _) = await RunAsync(authorization);

        Assert.Equal(expected, status);
        Assert.Equal(expected == StatusCodes.Status200OK, nextCalled);
    }

    private static async Task<(int Status, bool NextCalled, HttpContext Context)> RunAsync(string authorization)
    {
        var filter = new AdminKeyFilter(Options.Create(new GatewayOptions { AdminKey = "the-admin-key" }), TimeProvider.System);
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = authorization;
        var nextCalled = false;
        var result = await filter.InvokeAsync(
            EndpointFilterInvocationContext.Create(context),
            _ =>
            {
                nextCalled = true;
                return ValueTask.FromResult<object?>(Results.Ok());
            });
        var status = result switch
        {
            ProblemHttpResult problem => problem.StatusCode,
            IStatusCodeHttpResult { StatusCode: { } code } => code,
            _ => throw new InvalidOperationException($"Unexpected result {result}."),
        };
        return (status, nextCalled, context);
    }
}
