using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Lahja.Checkpoints;

/// <summary>Element types of a safetensors file that Lahja reads.</summary>
public enum TensorDType
{
    /// <summary>32-bit IEEE float.</summary>
    F32,
    /// <summary>16-bit IEEE float.</summary>
    F16,
    /// <summary>bfloat16.</summary>
    BF16,
    /// <summary>64-bit integer (buffers such as <c>position_ids</c>).</summary>
    I64,
}

/// <summary>One tensor's entry in a checkpoint: name, element type, shape.</summary>
/// <param name="Name">The key as stored.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions.</param>
public sealed record TensorInfo(string Name, TensorDType DType, long[] Shape)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as <c>[a, b]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}

/// <summary>Where a checkpoint's tensors come from: one safetensors file, shards of them, or a PyTorch pickle.</summary>
public interface ITensorSource : IDisposable
{
    /// <summary>Every tensor, by stored name.</summary>
    IReadOnlyDictionary<string, TensorInfo> Tensors { get; }

    /// <summary>
    /// Reads a floating-point tensor as float32 into <paramref name="destination"/> (F16 and BF16 are widened exactly),
    /// so weights can go straight into a model's memory without an intermediate copy.
    /// </summary>
    void ReadInto(string name, Span<float> destination);
}

/// <summary>Conveniences over <see cref="ITensorSource"/>.</summary>
public static class TensorSourceExtensions
{
    /// <summary>Reads a floating-point tensor into a new float32 array.</summary>
    public static float[] ReadFloat32(this ITensorSource source, string name)
    {
        var result = new float[source.Tensors[name].ElementCount];
        source.ReadInto(name, result);
        return result;
    }
}

/// <summary>
/// A <c>.safetensors</c> file, read with positional reads (not memory-mapped: mapped pages would count in the
/// process's resident memory on top of the model's own copy). The header is validated on open (sizes, offsets inside the data,
/// byte counts matching shapes), so a truncated or corrupt file is an <see cref="InvalidDataException"/> naming the
/// file and the problem, never garbage.
/// </summary>
public sealed class SafeTensorsFile : ITensorSource
{
    private const long MaxHeaderBytes = 100_000_000;
    private readonly SafeFileHandle _file;
    private readonly long _dataStart;
    private readonly Dictionary<string, (TensorInfo Info, long Begin, long End)> _entries = new(StringComparer.Ordinal);

    private SafeTensorsFile(string path, SafeFileHandle file, long dataStart)
    {
        Path = path;
        _file = file;
        _dataStart = dataStart;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The <c>__metadata__</c> strings of the header.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; private set; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; private set; } = new Dictionary<string, TensorInfo>();

    /// <summary>Opens and validates a safetensors file.</summary>
    public static SafeTensorsFile Open(string path)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            // The open file's length, not FileInfo's: in a Hugging Face cache the path is a symlink to the blob.
            var length = RandomAccess.GetLength(file);
            if (length < 8) throw new InvalidDataException($"{path}: {length} bytes is too short for a safetensors file (truncated?).");
            Span<byte> lengthBytes = stackalloc byte[8];
            RandomAccess.Read(file, lengthBytes, 0);
            var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > length)
                throw new InvalidDataException($"{path}: header length {headerLength} does not fit the file's {length} bytes (truncated or not a safetensors file).");
            var headerBytes = new byte[headerLength];
            RandomAccess.Read(file, headerBytes, 8);
            var result = new SafeTensorsFile(path, file, 8 + headerLength);
            result.ParseHeader(headerBytes, length - 8 - headerLength);
            return result;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private void ParseHeader(byte[] headerBytes, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path}: the header is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{Path}: the header is not a JSON object.");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    Metadata = property.Value.ValueKind == JsonValueKind.Object
                        ? property.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString())
                        : new Dictionary<string, string>();
                    continue;
                }
                _entries[property.Name] = ParseEntry(property, dataLength);
            }
        }
        Tensors = _entries.ToDictionary(e => e.Key, e => e.Value.Info, StringComparer.Ordinal);
    }

    private (TensorInfo, long, long) ParseEntry(JsonProperty property, long dataLength)
    {
        var name = property.Name;
        InvalidDataException Bad(string problem) => new($"{Path}: tensor \"{name}\": {problem}.");
        var e = property.Value;
        if (e.ValueKind != JsonValueKind.Object) throw Bad("entry is not an object");
        var dtypeText = e.TryGetProperty("dtype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        TensorDType dtype = dtypeText switch
        {
            "F32" => TensorDType.F32,
            "F16" => TensorDType.F16,
            "BF16" => TensorDType.BF16,
            "I64" => TensorDType.I64,
            _ => throw Bad($"dtype \"{dtypeText}\" is not supported (F32, F16, BF16, I64)"),
        };
        if (!e.TryGetProperty("shape", out var s) || s.ValueKind != JsonValueKind.Array) throw Bad("no shape");
        var shape = s.EnumerateArray().Select(x => x.TryGetInt64(out var v) && v >= 0 ? v : throw Bad("shape has a non-integer or negative dimension")).ToArray();
        if (!e.TryGetProperty("data_offsets", out var o) || o.ValueKind != JsonValueKind.Array || o.GetArrayLength() != 2)
            throw Bad("data_offsets is not a pair");
        var begin = o[0].TryGetInt64(out var b) ? b : -1;
        var end = o[1].TryGetInt64(out var en) ? en : -1;
        if (begin < 0 || end < begin || end > dataLength)
            throw Bad($"data_offsets [{begin}, {end}] fall outside the {dataLength} data bytes (truncated file?)");
        var info = new TensorInfo(name, dtype, shape);
        var expected = info.ElementCount * ElementSize(dtype);
        if (end - begin != expected)
            throw Bad($"{end - begin} bytes stored for shape {info.ShapeText} of {dtypeText}, which needs {expected}");
        return (info, begin, end);
    }

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(TensorDType dtype) => TensorElements.Size(dtype);

    /// <inheritdoc />
    public void ReadInto(string name, Span<float> destination)
    {
        if (!_entries.TryGetValue(name, out var entry))
            throw new KeyNotFoundException($"{Path} has no tensor \"{name}\".");
        var (info, begin, end) = entry;
        if (destination.Length != info.ElementCount)
            throw new ArgumentException($"Tensor \"{name}\" has {info.ElementCount} elements, the destination {destination.Length}.", nameof(destination));
        switch (info.DType)
        {
            case TensorDType.F32 when BitConverter.IsLittleEndian:
                ReadExactly(MemoryMarshal.AsBytes(destination), _dataStart + begin);
                NonFiniteWeightsException.ThrowIfAny(destination, Path, name);
                return;
            case TensorDType.F32:
            case TensorDType.F16:
            case TensorDType.BF16:
                // Widen in chunks so no copy of the whole tensor is ever held.
                var size = ElementSize(info.DType);
                var chunk = new byte[Math.Min(end - begin, 1 << 20)];
                for (long done = 0; done < info.ElementCount;)
                {
                    var count = (int)Math.Min(chunk.Length / size, info.ElementCount - done);
                    var bytes = chunk.AsSpan(0, count * size);
                    ReadExactly(bytes, _dataStart + begin + done * size);
                    TensorElements.ToFloat32(bytes, info.DType, destination.Slice((int)done, count));
                    done += count;
                }
                NonFiniteWeightsException.ThrowIfAny(destination, Path, name);
                return;
            default:
                throw new InvalidDataException($"{Path}: tensor \"{name}\" is {info.DType}, not a floating-point tensor.");
        }
    }

    private void ReadExactly(Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(_file, buffer, offset);
            if (read == 0) throw new InvalidDataException($"{Path}: unexpected end of file at byte {offset} (truncated?).");
            buffer = buffer[read..];
            offset += read;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Writes float32 tensors as a safetensors file (header padded to 8 bytes, <c>{"format": "pt"}</c> metadata as
    /// transformers expects), atomically: a partial file never takes the name.
    /// </summary>
    public static void Write(string path, IEnumerable<(string Name, long[] Shape, float[] Data)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (k, v) in metadata ?? new Dictionary<string, string> { ["format"] = "pt" }) json.WriteString(k, v);
            json.WriteEndObject();
            long offset = 0;
            foreach (var (name, shape, data) in list)
            {
                if (shape.Aggregate(1L, (a, b) => a * b) != data.Length)
                    throw new ArgumentException($"Tensor \"{name}\": shape [{string.Join(", ", shape)}] does not hold {data.Length} values.");
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var dim in shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset += data.Length * 4L);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padding = (8 - header.Length % 8) % 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, header.Length + padding);
            stream.Write(length);
            header.Position = 0;
            header.CopyTo(stream);
            for (var i = 0; i < padding; i++) stream.WriteByte((byte)' ');
            var scratch = new byte[4];
            foreach (var (_, _, data) in list)
            {
                if (BitConverter.IsLittleEndian) stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
                else foreach (var value in data) { BinaryPrimitives.WriteSingleLittleEndian(scratch, value); stream.Write(scratch); }
            }
        });
    }
}

/// <summary>A sharded safetensors checkpoint (<c>model.safetensors.index.json</c> and its shard files).</summary>
public sealed class ShardedSafeTensors : ITensorSource
{
    private readonly Dictionary<string, SafeTensorsFile> _owner = new(StringComparer.Ordinal);
    private readonly List<SafeTensorsFile> _files = [];

    private ShardedSafeTensors()
    {
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; private set; } = new Dictionary<string, TensorInfo>();

    /// <summary>
    /// The <c>weight_map</c> of an index file's content: tensor name → shard file, each file name checked to be a
    /// relative path that stays inside the checkpoint directory (<see cref="CheckpointFiles.IsSafeRelativeName"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The index is malformed or names an unsafe file; the message names <paramref name="source"/>.</exception>
    public static IReadOnlyList<(string Tensor, string File)> ReadWeightMap(ReadOnlyMemory<byte> index, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(index);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: no \"weight_map\" object.");
            var result = new List<(string, string)>();
            foreach (var entry in map.EnumerateObject())
            {
                var file = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : throw new InvalidDataException($"{source}: weight_map[{Hub.HubText.Show(entry.Name)}] is not a file name.");
                if (!CheckpointFiles.IsSafeRelativeName(file))
                    throw new InvalidDataException($"{source}: weight_map[{Hub.HubText.Show(entry.Name)}] names {Hub.HubText.Show(file)}, which is not a relative path inside the checkpoint directory.");
                result.Add((entry.Name, file));
            }
            return result;
        }
    }

    /// <summary>Opens the index and every shard it names; a tensor missing from its shard is an error.</summary>
    public static ShardedSafeTensors Open(string indexPath)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(indexPath))!;
        var map = ReadWeightMap(File.ReadAllBytes(indexPath), indexPath);
        var result = new ShardedSafeTensors();
        try
        {
            var byFile = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, file) in map)
            {
                if (!byFile.TryGetValue(file, out var shard))
                {
                    var shardPath = CheckpointFiles.JoinInside(directory, file, indexPath);
                    if (!File.Exists(shardPath)) throw new FileNotFoundException($"{indexPath} names shard {Hub.HubText.Show(file)}, which is missing.", shardPath);
                    byFile[file] = shard = SafeTensorsFile.Open(shardPath);
                    result._files.Add(shard);
                }
                if (!shard.Tensors.ContainsKey(tensor))
                    throw new InvalidDataException($"{indexPath}: tensor \"{tensor}\" is mapped to {file}, which does not contain it.");
                result._owner[tensor] = shard;
            }
            result.Tensors = result._owner.ToDictionary(p => p.Key, p => p.Value.Tensors[p.Key], StringComparer.Ordinal);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void ReadInto(string name, Span<float> destination)
    {
        if (!_owner.TryGetValue(name, out var file)) throw new KeyNotFoundException($"No shard has tensor \"{name}\".");
        file.ReadInto(name, destination);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
