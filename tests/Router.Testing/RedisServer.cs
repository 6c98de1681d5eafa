using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Router.Core.State;
using StackExchange.Redis;

namespace Router.Testing;

/// <summary>
/// A real redis-server on a free loopback port in a temp folder, with AOF fsynced on every write and RDB off
/// (<c>--appendonly yes --appendfsync always --save ""</c>). <see cref="Kill"/> and <see cref="Start"/> stop
/// and restart it on the same port and folder, for the durability and degraded-mode tests.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly Lazy<string?> ExecutablePath = new(FindOnPath);
    private Process? _process;

    private RedisServer(string executable)
    {
        Executable = executable;
        Directory = Path.Combine(Path.GetTempPath(), "router-redis-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Port = FreePort();
    }

    /// <summary>Why Redis tests are skipped here, or null when they run (or must run: ROUTER_REQUIRE_REDIS=1).</summary>
    public static string? SkipReason =>
        ExecutablePath.Value is not null || Environment.GetEnvironmentVariable("ROUTER_REQUIRE_REDIS") == "1"
            ? null
            : "!!! SKIPPED: redis-server not found on PATH. Install it (apt-get install -y redis-server) to run the Redis state tests; CI sets ROUTER_REQUIRE_REDIS=1 and fails instead. !!!";

    public string Executable { get; }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string with short timeouts so outages show quickly.</summary>
    public string Configuration => $"127.0.0.1:{Port},connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000";

    /// <summary>Starts a new server (fails the test when redis-server is missing).</summary>
    public static RedisServer StartNew()
    {
        var exe = ExecutablePath.Value
            ?? throw new InvalidOperationException("redis-server not found on PATH and ROUTER_REQUIRE_REDIS=1: install redis-server (see .ci/run).");
        var server = new RedisServer(exe);
        server.Start();
        return server;
    }

    /// <summary>
    /// A multiplexer configured as production configures it (fail fast while down, quick reconnects). While the server
    /// runs, waits until the multiplexer is connected: on a loaded CI machine the first connect can outlast the 1 s
    /// connect timeout, and with fail-fast commands a test's first command would then fail instead of waiting.
    /// </summary>
    public IConnectionMultiplexer Connect()
    {
        var connection = RedisConnectionFactory.Connect(Configuration);
        if (_process is { HasExited: false })
        {
            WaitConnected(connection, TimeSpan.FromSeconds(30));
        }

        return connection;
    }

    /// <summary>Waits until <paramref name="connection"/> is connected and answers PING (after a restart); throws after 15 s.</summary>
    public static async Task WaitConnectedAsync(IConnectionMultiplexer connection)
    {
        if (!await TryWaitConnectedAsync(connection, TimeSpan.FromSeconds(15)))
        {
            throw new TimeoutException("the multiplexer did not reconnect within 15 s");
        }
    }

    /// <summary>
    /// Waits until <paramref name="connection"/> is connected and answers PING; false after <paramref name="timeout"/>
    /// (the caller's own assertions then say what that broke). A gateway host under test calls it after start, as a
    /// readiness gate would: on a loaded CI machine the first connect can outlast the 1 s connect timeout, and a
    /// request arriving before the reconnect is (rightly) answered 503.
    /// </summary>
    public static async Task<bool> TryWaitConnectedAsync(IConnectionMultiplexer connection, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                if (connection.IsConnected)
                {
                    await connection.GetDatabase().PingAsync();
                    return true;
                }
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                // Still reconnecting.
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>Blocks until <paramref name="connection"/> is connected, or <paramref name="timeout"/> passes (then the test's own commands report why).</summary>
    public static void WaitConnected(IConnectionMultiplexer connection, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!connection.IsConnected && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(20);
        }
    }

    /// <summary>(Re)starts the server on the same port and folder and waits until it answers PING (AOF loaded).</summary>
    public void Start()
    {
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", Directory, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
            "--daemonize", "no", "--protected-mode", "no", "--logfile", "",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start redis-server");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilReady(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGKILL: no shutdown save, no goodbye; only what the AOF holds survives.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Temp folder; best effort.
        }
    }

    private void WaitUntilReady(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                var stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var buffer = new byte[64];
                var read = stream.Read(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"redis-server did not answer PING on port {Port} within {timeout}");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string? FindOnPath()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
