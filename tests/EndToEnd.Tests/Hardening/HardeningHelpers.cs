using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Hardening;

/// <summary>Small helpers shared by the hardening tests.</summary>
internal static class HardeningHelpers
{
    public const string AdminKey = "admin-secret-for-tests";

    public const string ChatBody = """{"model":"auto","messages":[{"role":"user","content":"Say hello"}]}""";

    public static HttpRequestMessage Chat(string? bearer, string body = ChatBody)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    /// <summary>Creates a key through the admin API; returns (id, secret).</summary>
    public static async Task<(string Id, string Secret)> CreateKeyAsync(GatewayHost gateway, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/keys") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await gateway.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, text);
        using var json = JsonDocument.Parse(text);
        return (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("key").GetString()!);
    }

    /// <summary>Asserts the OpenAI envelope and returns (type, code).</summary>
    public static async Task<(string? Type, string? Code, string Message)> EnvelopeAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        var error = json.RootElement.GetProperty("error");
        var message = error.GetProperty("message").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(message));
        return (error.GetProperty("type").GetString(), error.GetProperty("code").GetString(), message);
    }

    /// <summary>Polls until <paramref name="condition"/> holds (observers run just after the response).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for " + what);
            await Task.Delay(10);
        }
    }
}
