using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Router.Gateway.OpenAi;

namespace Router.Benchmarks;

/// <summary>The gateway's request parser on a typical chat completion body (system + user turn) and a 20-turn one.</summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private readonly HeaderDictionary _headers = new();
    private byte[] _body = null!;

    [Params(1, 20)]
    public int Turns { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var turns = string.Join(",", Enumerable.Range(0, Turns).Select(i =>
            $$"""{"role":"{{(i % 2 == 0 ? "user" : "assistant")}}","content":"Turn {{i}}: which of the following are traits that are affected by more than one gene? A. Heterozygous B. Pleiotropic C. Polygenic D. Blended"}"""));
        _body = Encoding.UTF8.GetBytes($$"""{"model":"auto","messages":[{"role":"system","content":"You are a helpful assistant."},{{turns}}]}""");
    }

    [Benchmark]
    public int Parse()
    {
        var (request, _) = OpenAiRequestParser.Parse(OpenAiOperation.ChatCompletions, _body, _headers);
        return request!.QueryText.Length;
    }
}
