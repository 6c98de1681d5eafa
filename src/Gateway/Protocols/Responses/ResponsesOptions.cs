namespace Router.Gateway.Protocols.Responses;

/// <summary>
/// The stored responses of <c>/v1/responses</c> (<c>Router:Responses</c>): how long a response is kept for
/// <c>GET</c>, <c>input_items</c> and <c>previous_response_id</c>, and how many the in-process store holds (the
/// oldest go first). With <c>Router:Redis:Configuration</c> set they are kept in Redis instead, shared by every
/// replica. Validated at start.
/// </summary>
public sealed class ResponsesOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Router:Responses";

    /// <summary>How long a stored response lives (OpenAI keeps them 30 days; the default here is one day of gateway memory).</summary>
    public TimeSpan StoreTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The most responses the in-process store keeps (each holds its whole conversation).</summary>
    public int MaxInMemoryResponses { get; set; } = 10_000;

    /// <summary>The configuration errors, if any.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (StoreTtl <= TimeSpan.Zero || StoreTtl > TimeSpan.FromDays(365))
        {
            errors.Add("Router:Responses:StoreTtl must be positive and at most 365 days.");
        }

        if (MaxInMemoryResponses < 1)
        {
            errors.Add("Router:Responses:MaxInMemoryResponses must be >= 1.");
        }

        return errors;
    }
}
