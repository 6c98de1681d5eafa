using Microsoft.Extensions.Options;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Core.Tests.State;

/// <summary>One redis-server for the tests that do not stop it; each test isolates itself with its own key prefix.</summary>
public sealed class SharedRedis : IDisposable
{
    private readonly Lazy<RedisServer> _server = new(RedisServer.StartNew);
    private readonly Lazy<IConnectionMultiplexer> _connection;

    public SharedRedis()
    {
        _connection = new(() => _server.Value.Connect());
    }

    public RedisServer Server => _server.Value;

    /// <summary>The shared multiplexer ("replica A").</summary>
    public IConnectionMultiplexer Connection => _connection.Value;

    public static IOptions<RedisStateOptions> Prefix(string prefix) =>
        Options.Create(new RedisStateOptions { Configuration = "unused", KeyPrefix = prefix });

    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        if (_connection.IsValueCreated)
        {
            _connection.Value.Dispose();
        }

        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedRedisCollection : ICollectionFixture<SharedRedis>
{
    public const string Name = "shared redis";
}
