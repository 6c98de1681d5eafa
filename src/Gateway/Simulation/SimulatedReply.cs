namespace Router.Gateway.Simulation;

/// <summary>One function call of a simulated answer: <c>arguments</c> is the JSON text, as OpenAI sends it.</summary>
internal sealed record SimulatedToolCall(string Id, string Name, string Arguments);

/// <summary>One choice of a simulated answer: text (<see cref="Content"/>) or <see cref="ToolCalls"/>, never both.</summary>
internal sealed record SimulatedChoice(int Index, string? Content, IReadOnlyList<SimulatedToolCall> ToolCalls, string FinishReason);

/// <summary>A whole simulated answer with its usage (prompt counted once, completion summed over the choices, as OpenAI bills <c>n</c>).</summary>
internal sealed record SimulatedReply(IReadOnlyList<SimulatedChoice> Choices, int PromptTokens, int CompletionTokens);
