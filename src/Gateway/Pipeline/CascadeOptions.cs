namespace Router.Gateway.Pipeline;

/// <summary>
/// <c>Router:Cascade</c>: the verifier cascade for <c>auto</c> chat requests (docs/quality.md §4). The router's first
/// choice answers into a buffer; the checkpoint's answer verifier scores that answer, and when
/// <c>λ·(q̂_esc − p) &gt; ĉ_esc / c_ref</c> the gateway calls the arm the router ranks next among the stronger ones and
/// the client gets that answer instead. Validated at start (<see cref="CascadeOptionsValidator"/>): enabled without a
/// verifier in the checkpoint fails the start.
/// </summary>
public sealed record CascadeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Router:Cascade";

    /// <summary>Largest <see cref="MaxEscalations"/> accepted (each escalation is one more paid call).</summary>
    public const int MaxEscalationsLimit = 4;

    /// <summary>Whether <c>auto</c> chat requests run the cascade. Default false.</summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// Streaming requests: true (default) buffers the first answer, so the client receives the stream only once the
    /// verifier has accepted it (or the escalated answer), all at once; false serves streams without a cascade.
    /// </summary>
    public bool BufferStreaming { get; init; } = true;

    /// <summary>How many escalations one request may make (each one verified again before the next). Default 1.</summary>
    public int MaxEscalations { get; init; } = 1;

    /// <summary>The problems of these options, one message each (empty when valid); the engine's checks are the validator's.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxEscalations is < 1 or > MaxEscalationsLimit)
        {
            errors.Add($"{SectionName}:MaxEscalations must be between 1 and {MaxEscalationsLimit} (was {MaxEscalations}).");
        }

        return errors;
    }
}
