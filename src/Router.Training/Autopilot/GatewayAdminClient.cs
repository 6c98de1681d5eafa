using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Router.Training.Autopilot;

/// <summary>
/// The few gateway calls the <c>router</c> CLI makes: set the global cost target (<c>PUT /admin/policy</c>), send a
/// routed chat request, and stream the decision log export (<c>GET /admin/decisions/export</c>). Non-2xx answers
/// become an <see cref="HttpRequestException"/> carrying the gateway's error body.
/// </summary>
internal sealed class GatewayAdminClient(HttpClient http, string adminKey)
{
    /// <summary><c>PUT /admin/policy {"targetCostPer1kRequests": t}</c> (USD per 1,000 routed requests).</summary>
    public async Task SetGlobalTargetAsync(double targetCostPer1kRequests, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, double> { ["targetCostPer1kRequests"] = targetCostPer1kRequests });
        using var request = Admin(HttpMethod.Put, "admin/policy");
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureAsync(response, "PUT /admin/policy", cancellationToken);
    }

    /// <summary>A <c>model: "auto"</c> chat request with one user message; returns the gateway's request id and arm.</summary>
    public async Task<(string RequestId, string Arm)> ChatAsync(string prompt, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new { model = "auto", messages = new[] { new { role = "user", content = prompt } } });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), content, cancellationToken);
        await EnsureAsync(response, "POST /v1/chat/completions", cancellationToken);
        return (Header(response, "x-router-request-id"), Header(response, "x-router-arm"));
    }

    /// <summary>Streams <c>GET /admin/decisions/export?from=&amp;to=</c> (JSONL) into <paramref name="destination"/>; returns the bytes copied.</summary>
    public async Task<long> ExportAsync(DateTimeOffset? from, DateTimeOffset? to, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var query = new List<string>();
        if (from is { } f)
        {
            query.Add("from=" + Uri.EscapeDataString(f.ToString("O", CultureInfo.InvariantCulture)));
        }

        if (to is { } t)
        {
            query.Add("to=" + Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture)));
        }

        using var request = Admin(HttpMethod.Get, "admin/decisions/export" + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureAsync(response, "GET /admin/decisions/export", cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var before = destination.CanSeek ? destination.Position : 0;
        await body.CopyToAsync(destination, cancellationToken);
        return destination.CanSeek ? destination.Position - before : -1;
    }

    private HttpRequestMessage Admin(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        return request;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{what}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 500)]}", null, response.StatusCode);
        }
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.First() : "";
}
