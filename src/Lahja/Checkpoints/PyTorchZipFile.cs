using System.IO.Compression;

namespace Lahja.Checkpoints;

/// <summary>
/// A <c>pytorch_model.bin</c> as <c>torch.save</c> writes it since PyTorch 1.6: a zip archive holding the pickled state
/// dict (<c>data.pkl</c>) and one raw little-endian entry per storage (<c>data/KEY</c>). Read without PyTorch and
/// without running the pickle (<see cref="StateDictPickle"/> allows only what a state dict needs), so every engine,
/// ONNX Runtime's included, loads such checkpoints, and a hostile file cannot run code.
/// </summary>
public sealed class PyTorchZipFile : ITensorSource
{
    private const long MaxPickleBytes = 64 << 20;
    private readonly ZipArchive _archive;
    private readonly string _prefix;
    private readonly Dictionary<string, StateDictPickle.TensorView> _views;

    private PyTorchZipFile(string path, ZipArchive archive, string prefix, List<KeyValuePair<string, StateDictPickle.TensorView>> views)
    {
        Path = path;
        _archive = archive;
        _prefix = prefix;
        _views = new(views, StringComparer.Ordinal);
        Tensors = views.ToDictionary(v => v.Key, v => new TensorInfo(v.Key, v.Value.Storage.DType, v.Value.Shape), StringComparer.Ordinal);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; }

    /// <summary>Opens and validates the archive and its pickle; tensors are read later, one at a time.</summary>
    /// <exception cref="InvalidDataException">Not a torch.save zip archive, a legacy (pre-1.6) file, a big-endian file, or a malformed or hostile pickle.</exception>
    public static PyTorchZipFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException)
        {
            var legacy = IsLegacyFormat(stream);
            stream.Dispose();
            throw new InvalidDataException(legacy
                ? $"{path}: saved in PyTorch's legacy format (before 1.6), which Lahja does not read: re-save it with a current torch.save, or as model.safetensors."
                : $"{path}: not a torch.save zip archive (truncated or another format).");
        }
        try
        {
            var pickle = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                .ToList();
            if (pickle.Count != 1) throw new InvalidDataException($"{path}: a torch.save archive has one PREFIX/data.pkl; this one has {pickle.Count}.");
            var prefix = pickle[0].FullName[..^"data.pkl".Length];
            if (archive.GetEntry(prefix + "byteorder") is { } order && ReadSmall(order, 16, path) is var text && text.Trim() != "little")
                throw new InvalidDataException($"{path}: saved with byte order \"{text.Trim()}\"; Lahja reads little-endian checkpoints.");
            if (pickle[0].Length > MaxPickleBytes) throw new InvalidDataException($"{path}: data.pkl is {pickle[0].Length} bytes, more than a state dict's pickle needs.");
            var views = StateDictPickle.Read(ReadAll(pickle[0], path), $"{path}: data.pkl");
            foreach (var storage in views.Select(v => v.Value.Storage).DistinctBy(s => s.Key))
            {
                var entry = archive.GetEntry(prefix + "data/" + storage.Key)
                    ?? throw new InvalidDataException($"{path}: storage {storage.Key} named by the pickle is missing from the archive.");
                var bytes = checked(storage.ElementCount * TensorElements.Size(storage.DType));
                if (entry.Length < bytes)
                    throw new InvalidDataException($"{path}: storage {storage.Key} holds {entry.Length} bytes; its {storage.ElementCount} elements need {bytes} (truncated?).");
            }
            return new PyTorchZipFile(path, archive, prefix, views);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void ReadInto(string name, Span<float> destination)
    {
        var view = _views[name];
        var info = Tensors[name];
        if (info.DType == TensorDType.I64) throw new InvalidDataException($"{Path}: tensor \"{name}\" holds integers, not weights.");
        if (destination.Length != info.ElementCount)
            throw new ArgumentException($"{Path}: tensor \"{name}\" has {info.ElementCount} elements; the destination holds {destination.Length}.", nameof(destination));
        var size = TensorElements.Size(info.DType);
        var contiguous = IsContiguous(view.Shape, view.Stride);
        // The stretch of the storage the view covers: the tensor itself when contiguous, else up to its last element.
        long first = view.Offset, last = view.Offset;
        for (var d = 0; d < view.Shape.Length; d++)
            if (view.Shape[d] > 0) last += (view.Shape[d] - 1) * view.Stride[d];
        var span = info.ElementCount == 0 ? 0 : last - first + 1;
        var raw = new byte[checked(span * size)];
        lock (_archive)
        {
            using var stream = _archive.GetEntry(_prefix + "data/" + view.Storage.Key)!.Open();
            Skip(stream, first * size);
            stream.ReadExactly(raw);
        }
        if (contiguous)
        {
            TensorElements.ToFloat32(raw, info.DType, destination);
        }
        else
        {
            var all = new float[span];
            TensorElements.ToFloat32(raw, info.DType, all);
            var index = new long[view.Shape.Length];
            for (var i = 0; i < destination.Length; i++)
            {
                long at = 0;
                for (var d = 0; d < index.Length; d++) at += index[d] * view.Stride[d];
                destination[i] = all[at];
                for (var d = index.Length - 1; d >= 0 && ++index[d] == view.Shape[d]; d--) index[d] = 0;
            }
        }
        NonFiniteWeightsException.ThrowIfAny(destination, Path, name);
    }

    /// <inheritdoc />
    public void Dispose() => _archive.Dispose();

    private static bool IsContiguous(long[] shape, long[] stride)
    {
        long expected = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    private static void Skip(Stream stream, long count)
    {
        if (stream.CanSeek)
        {
            stream.Seek(count, SeekOrigin.Current);
            return;
        }
        var buffer = new byte[1 << 16];
        while (count > 0)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (read == 0) throw new EndOfStreamException();
            count -= read;
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry, string path)
    {
        using var stream = entry.Open();
        var bytes = new byte[entry.Length];
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: {entry.FullName} is truncated.", e);
        }
        return bytes;
    }

    private static string ReadSmall(ZipArchiveEntry entry, int limit, string path) =>
        entry.Length <= limit ? System.Text.Encoding.ASCII.GetString(ReadAll(entry, path)) : throw new InvalidDataException($"{path}: {entry.FullName} is too long.");

    /// <summary>Whether the file starts as the legacy format does: a pickled magic number (0x1950a86a20f9469cfc6c).</summary>
    private static bool IsLegacyFormat(Stream stream)
    {
        Span<byte> head = stackalloc byte[12];
        stream.Position = 0;
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return read == head.Length && head[0] == 0x80 && head[2] == 0x8a && head[3] == 0x0a && head[4] == 0x6c && head[5] == 0xfc && head[6] == 0x9c;
    }
}
