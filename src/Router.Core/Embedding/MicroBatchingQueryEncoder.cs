using System.Buffers;
using System.Threading.Channels;

namespace Router.Core.Embedding;

/// <summary>
/// Runs concurrent routing queries through the encoder together: queries queue up, and one worker takes everything
/// queued (up to <see cref="MaxBatchSize"/>) into one <see cref="ITextEncoder.Encode"/> call, i.e. one ONNX Runtime run.
/// </summary>
/// <remarks>
/// Batching without a window costs a lone query nothing: when the encoder is idle a query runs at once, alone; under
/// load the queries that arrived while the previous run was busy form the next batch, so the batch size follows the
/// load. An optional <see cref="BatchWindow"/> holds a batch open a little longer (bounded) to gather more. One
/// worker also means one ONNX run at a time, so concurrent requests no longer fight over the cores with one run each.
/// Embeddings equal those of single runs up to float rounding: padding tokens are masked out of attention and
/// pooling (tested to 1e-5). Thread-safe; <see cref="Dispose"/> fails the queries still queued.
/// </remarks>
public sealed class MicroBatchingQueryEncoder : IQueryEncoder, IDisposable
{
    private readonly ITextEncoder _inner;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _worker;

    /// <summary>Starts the worker over <paramref name="inner"/> (not owned: dispose it yourself after this).</summary>
    /// <param name="inner">The encoder.</param>
    /// <param name="maxBatchSize">Most queries per run. Default 16; at least 1.</param>
    /// <param name="batchWindow">How long a batch that is not full waits for more queries. Default zero (none); at most 100 ms.</param>
    public MicroBatchingQueryEncoder(ITextEncoder inner, int maxBatchSize = 16, TimeSpan batchWindow = default)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchWindow, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchWindow, TimeSpan.FromMilliseconds(100));
        _inner = inner;
        MaxBatchSize = maxBatchSize;
        BatchWindow = batchWindow;
        _worker = Task.Run(RunAsync);
    }

    /// <inheritdoc />
    public string ModelId => _inner.ModelId;

    /// <inheritdoc />
    public int Dimension => _inner.Dimension;

    /// <summary>Most queries per encoder run.</summary>
    public int MaxBatchSize { get; }

    /// <summary>How long a batch that is not full stays open for more queries.</summary>
    public TimeSpan BatchWindow { get; }

    /// <summary>Encoder runs so far.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Queries encoded so far (<see cref="Runs"/> ≤ this; their ratio is the mean batch size).</summary>
    public long Queries => Interlocked.Read(ref _queries);

    private long _runs;
    private long _queries;

    /// <inheritdoc />
    public async ValueTask EncodeAsync(string text, Memory<float> destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (destination.Length < Dimension)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats; {Dimension} needed.", nameof(destination));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(text);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(MicroBatchingQueryEncoder));
        }

        // The worker writes into its own pooled row, never into the caller's memory: a caller that has given up may
        // already have returned that memory to a pool.
        float[] row;
        using (cancellationToken.UnsafeRegister(static state => ((Pending)state!).Completion.TrySetCanceled(), pending))
        {
            row = await pending.Completion.Task.ConfigureAwait(false);
        }

        row.AsSpan(0, Dimension).CopyTo(destination.Span);
        ArrayPool<float>.Shared.Return(row);
    }

    /// <summary>Stops the worker; queued queries fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _worker.GetAwaiter().GetResult();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(MaxBatchSize);
        var texts = new List<string>(MaxBatchSize);
        var rows = new float[MaxBatchSize * Dimension];
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            Drain(reader, batch);
            if (BatchWindow > TimeSpan.Zero && batch.Count < MaxBatchSize)
            {
                using var window = new CancellationTokenSource(BatchWindow);
                try
                {
                    while (batch.Count < MaxBatchSize && await reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                    {
                        Drain(reader, batch);
                    }
                }
                catch (OperationCanceledException) when (window.IsCancellationRequested)
                {
                    // The window closed: run what we have.
                }
            }

            texts.Clear();
            foreach (var pending in batch)
            {
                texts.Add(pending.Text);
            }

            Run(batch, texts, rows);
        }

        while (reader.TryRead(out var left))
        {
            left.Completion.TrySetException(new ObjectDisposedException(nameof(MicroBatchingQueryEncoder)));
        }
    }

    private void Drain(ChannelReader<Pending> reader, List<Pending> batch)
    {
        while (batch.Count < MaxBatchSize && reader.TryRead(out var pending))
        {
            // A query whose caller gave up while it waited is not encoded.
            if (!pending.Completion.Task.IsCompleted)
            {
                batch.Add(pending);
            }
        }
    }

    private void Run(List<Pending> batch, List<string> texts, float[] rows)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var d = Dimension;
        try
        {
            _inner.Encode(texts, rows.AsSpan(0, batch.Count * d), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }

            return;
        }

        Interlocked.Increment(ref _runs);
        Interlocked.Add(ref _queries, batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var row = ArrayPool<float>.Shared.Rent(d);
            rows.AsSpan(i * d, d).CopyTo(row);
            if (!batch[i].Completion.TrySetResult(row))
            {
                ArrayPool<float>.Shared.Return(row);
            }
        }
    }

    private sealed class Pending(string text)
    {
        public string Text { get; } = text;

        // Continuations run on the thread pool, not on the worker, so the next batch starts at once.
        public TaskCompletionSource<float[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
