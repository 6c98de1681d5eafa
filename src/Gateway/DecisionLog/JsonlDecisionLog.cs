using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Router.Gateway.DecisionLog;

/// <summary>
/// <see cref="IDecisionLog"/> as rotating JSONL files in <see cref="DecisionLogOptions.Directory"/>:
/// <c>decisions-&lt;UTC start&gt;-&lt;process id&gt;.jsonl</c>, one record per line. Each append is written and flushed
/// to the operating system before it returns, so a killed process loses nothing acknowledged (a line torn by the kill
/// is skipped by readers). A file is closed beyond <see cref="DecisionLogOptions.MaxFileBytes"/>; the oldest files go
/// while the folder exceeds <see cref="DecisionLogOptions.MaxTotalBytes"/> or are older than
/// <see cref="DecisionLogOptions.MaxAge"/>. Thread-safe (appends are serialised).
/// </summary>
public sealed class JsonlDecisionLog : IDecisionLog, IAsyncDisposable
{
    private const string Pattern = "decisions-*.jsonl";
    private readonly DecisionLogOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _directory;
    private FileStream? _current;

    /// <summary>Opens (creates) the folder.</summary>
    public JsonlDecisionLog(IOptions<DecisionLogOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _directory = Path.GetFullPath(_options.Directory);
        Directory.CreateDirectory(_directory);
    }

    /// <summary>The folder the files are in.</summary>
    public string DirectoryPath => _directory;

    /// <inheritdoc />
    public async ValueTask AppendAsync(DecisionLogRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = DecisionLogJson.Serialize(record);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is null || _current.Length + line.Length + 1 > _options.MaxFileBytes)
            {
                await RotateAsync();
            }

            await _current!.WriteAsync(line, CancellationToken.None);
            await _current.WriteAsync("\n"u8.ToArray(), CancellationToken.None);

            // To the OS, not to the disk: survives a killed process (the test's case); a power cut may lose the tail.
            await _current.FlushAsync(CancellationToken.None);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DecisionLogRecord> ReadAsync(DateTimeOffset? from, DateTimeOffset? to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in Files())
        {
            foreach (var record in await ReadFileAsync(file, cancellationToken))
            {
                if ((from is null || record.Time >= from) && (to is null || record.Time < to))
                {
                    yield return record;
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DecisionLogRecord>> RecentAsync(int max, CancellationToken cancellationToken)
    {
        var result = new List<DecisionLogRecord>();
        foreach (var file in Files().Reverse())
        {
            var records = await ReadFileAsync(file, cancellationToken);
            for (var i = records.Count - 1; i >= 0 && result.Count < max; i--)
            {
                result.Add(records[i]);
            }

            if (result.Count >= max)
            {
                break;
            }
        }

        // Files of several processes may interleave in time: newest first by record time.
        return [.. result.OrderByDescending(r => r.Time)];
    }

    /// <summary>Closes the current file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_current is not null)
            {
                await _current.DisposeAsync();
                _current = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private IEnumerable<string> Files() =>
        Directory.EnumerateFiles(_directory, Pattern).Order(StringComparer.Ordinal).ToArray();

    private static async Task<List<DecisionLogRecord>> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            // FileShare.ReadWrite|Delete: the writer holds the current file open, retention may delete an old one.
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return [];
        }

        var records = new List<DecisionLogRecord>();
        var span = bytes.AsSpan();
        while (!span.IsEmpty)
        {
            var end = span.IndexOf((byte)'\n');
            var line = end < 0 ? span : span[..end];
            if (DecisionLogJson.TryParse(line) is { } record)
            {
                records.Add(record);
            }

            span = end < 0 ? [] : span[(end + 1)..];
        }

        return records;
    }

    private async Task RotateAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
        }

        var now = _time.GetUtcNow();
        var name = string.Create(CultureInfo.InvariantCulture, $"decisions-{now:yyyyMMdd'T'HHmmssfff}-{Environment.ProcessId}.jsonl");
        _current = new FileStream(Path.Combine(_directory, name), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        Retain(now);
    }

    private void Retain(DateTimeOffset now)
    {
        var files = Files().Select(f => new FileInfo(f)).ToList();
        var total = files.Sum(f => f.Length);
        foreach (var file in files)
        {
            if (_current is not null && file.FullName == _current.Name)
            {
                continue;
            }

            if (total > _options.MaxTotalBytes || now - file.LastWriteTimeUtc > _options.MaxAge)
            {
                total -= file.Length;
                try
                {
                    file.Delete();
                }
                catch (IOException)
                {
                    // Deleted by another process sharing the folder: nothing to do.
                }
            }
        }
    }
}
