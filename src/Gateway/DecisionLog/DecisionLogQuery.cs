namespace Router.Gateway.DecisionLog;

/// <summary>Joins decision and feedback records by request id (the last feedback of a request wins) and filters them.</summary>
public static class DecisionLogQuery
{
    /// <summary>
    /// The decisions among <paramref name="records"/> (newest first), each with its feedback from
    /// <paramref name="records"/> joined in, filtered by key, arm (chosen or serving) and request id, at most
    /// <paramref name="limit"/>.
    /// </summary>
    public static List<DecisionLogRecord> Decisions(IReadOnlyList<DecisionLogRecord> records, int limit, string? key, string? arm, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(records);
        var feedback = new Dictionary<string, DecisionFeedback>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            if (r is { Type: DecisionLogRecord.FeedbackType, Feedback: { } f }
                && (!feedback.TryGetValue(r.RequestId, out var seen) || seen.Time < f.Time))
            {
                feedback[r.RequestId] = f;
            }
        }

        var result = new List<DecisionLogRecord>();
        foreach (var r in records)
        {
            if (result.Count >= limit)
            {
                break;
            }

            if (r.Type != DecisionLogRecord.DecisionType
                || (key is not null && r.KeyId != key)
                || (arm is not null && !string.Equals(r.ChosenArm, arm, StringComparison.OrdinalIgnoreCase) && !string.Equals(r.Outcome?.Arm, arm, StringComparison.OrdinalIgnoreCase))
                || (requestId is not null && r.RequestId != requestId))
            {
                continue;
            }

            result.Add(feedback.TryGetValue(r.RequestId, out var f) ? r with { Feedback = f } : r);
        }

        return result;
    }

    /// <summary>
    /// Decisions of <paramref name="decisions"/> (oldest first) joined with feedback from <paramref name="feedback"/>,
    /// streamed: for an export, where feedback may arrive after the export window's end.
    /// </summary>
    public static async IAsyncEnumerable<DecisionLogRecord> Join(IAsyncEnumerable<DecisionLogRecord> decisions, IReadOnlyDictionary<string, DecisionFeedback> feedback)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentNullException.ThrowIfNull(feedback);
        await foreach (var r in decisions)
        {
            if (r.Type == DecisionLogRecord.DecisionType)
            {
                yield return feedback.TryGetValue(r.RequestId, out var f) ? r with { Feedback = f } : r;
            }
        }
    }
}
