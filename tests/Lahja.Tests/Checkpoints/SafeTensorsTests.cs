using System.Buffers.Binary;
using System.Text;
using Lahja.Checkpoints;

namespace Lahja.Tests.Checkpoints;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lahja-st-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void Written_file_reads_back_exactly()
    {
        var path = PathOf("a.safetensors");
        SafeTensorsFile.Write(path, [("w", [2, 3], [1f, -2f, 3.5f, float.Epsilon, 1e30f, 0f]), ("b", [3], [0.1f, 0.2f, 0.3f])]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal([2L, 3], file.Tensors["w"].Shape);
        Assert.Equal([1f, -2f, 3.5f, float.Epsilon, 1e30f, 0f], file.ReadFloat32("w"));
        Assert.Equal([0.1f, 0.2f, 0.3f], file.ReadFloat32("b"));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Empty(Directory.GetFiles(_directory, "*.partial"));
        Assert.Equal(0, (new FileInfo(path).Length - 8 - BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8))) % 4);
    }

    [Fact]
    public void Half_and_bfloat16_widen_exactly()
    {
        // 1.5 and -2 are exact in both; 0x3C00 = 1.0 in F16; 0x3F80 = 1.0 in BF16.
        var path = PathOf("h.safetensors");
        WriteRaw(path, """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}""",
            [0x00, 0x3C, 0x00, 0xC0, 0x80, 0x3F, 0xC0, 0x3F]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal([1f, -2f], file.ReadFloat32("h"));
        Assert.Equal([1f, 1.5f], file.ReadFloat32("b"));
    }

    [Fact]
    public void Truncated_file_is_a_clear_error()
    {
        var path = PathOf("t.safetensors");
        SafeTensorsFile.Write(path, [("w", [4], [1f, 2f, 3f, 4f])]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("t.safetensors", e.Message);
        Assert.Contains("\"w\"", e.Message);
        File.WriteAllBytes(path, bytes[..5]);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path)).Message);
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("""{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", "not supported")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", "needs 12")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[4,0]}}""", "fall outside")]
    [InlineData("""{"w":{"dtype":"F32","data_offsets":[0,8]}}""", "no shape")]
    public void Corrupt_headers_are_clear_errors(string header, string expected)
    {
        var path = PathOf("c.safetensors");
        WriteRaw(path, header, new byte[8]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Header_length_beyond_the_file_is_rejected()
    {
        var path = PathOf("l.safetensors");
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, 1_000_000);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("does not fit", Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path)).Message);
    }

    [Fact]
    public void Sharded_index_joins_its_shards()
    {
        SafeTensorsFile.Write(PathOf("model-00001-of-00002.safetensors"), [("a", [1], [1f])]);
        SafeTensorsFile.Write(PathOf("model-00002-of-00002.safetensors"), [("b", [1], [2f])]);
        File.WriteAllText(PathOf("model.safetensors.index.json"), """{"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}""");
        using var sharded = ShardedSafeTensors.Open(PathOf("model.safetensors.index.json"));
        Assert.Equal(2, sharded.Tensors.Count);
        Assert.Equal([2f], sharded.ReadFloat32("b"));
        File.WriteAllText(PathOf("model.safetensors.index.json"), """{"weight_map":{"a":"model-00002-of-00002.safetensors"}}""");
        Assert.Contains("does not contain it", Assert.Throws<InvalidDataException>(() => ShardedSafeTensors.Open(PathOf("model.safetensors.index.json"))).Message);
    }

    [Fact]
    public void Files_behind_relative_symlinks_are_read_at_their_target_size()
    {
        // The Hugging Face cache layout: snapshots/COMMIT/FILE -> ../../blobs/HASH.
        var blobs = Directory.CreateDirectory(PathOf("blobs")).FullName;
        var snapshot = Directory.CreateDirectory(PathOf(Path.Combine("snapshots", "c"))).FullName;
        SafeTensorsFile.Write(Path.Combine(blobs, "single"), [("w", [3], [1f, 2f, 3f])]);
        SafeTensorsFile.Write(Path.Combine(blobs, "shard"), [("s", [2], [4f, 5f])]);
        File.WriteAllText(Path.Combine(blobs, "index"), """{"weight_map":{"s":"model-00001-of-00001.safetensors"}}""");
        File.CreateSymbolicLink(Path.Combine(snapshot, "model.safetensors"), Path.Combine("..", "..", "blobs", "single"));
        File.CreateSymbolicLink(Path.Combine(snapshot, "model-00001-of-00001.safetensors"), Path.Combine("..", "..", "blobs", "shard"));
        File.CreateSymbolicLink(Path.Combine(snapshot, "model.safetensors.index.json"), Path.Combine("..", "..", "blobs", "index"));

        using var single = SafeTensorsFile.Open(Path.Combine(snapshot, "model.safetensors"));
        Assert.Equal([1f, 2f, 3f], single.ReadFloat32("w"));
        using var sharded = ShardedSafeTensors.Open(Path.Combine(snapshot, "model.safetensors.index.json"));
        Assert.Equal([4f, 5f], sharded.ReadFloat32("s"));
    }

    [Theory]
    [InlineData("../outside.safetensors")]
    [InlineData("model-../../outside.safetensors")]
    [InlineData("/tmp/outside.safetensors")]
    [InlineData("sub\\..\\..\\outside.safetensors")]
    [InlineData("model-\u0000.safetensors")]
    [InlineData("model-\u001b[2J.safetensors")]
    [InlineData("")]
    public void Index_naming_a_file_outside_the_directory_is_refused(string shard)
    {
        var inner = Directory.CreateDirectory(PathOf("inner")).FullName;
        SafeTensorsFile.Write(PathOf("outside.safetensors"), [("a", [1], [1f])]);
        var index = Path.Combine(inner, "model.safetensors.index.json");
        File.WriteAllText(index, System.Text.Json.JsonSerializer.Serialize(new { weight_map = new Dictionary<string, string> { ["a"] = shard } }));
        var e = Assert.Throws<InvalidDataException>(() => ShardedSafeTensors.Open(index));
        Assert.Contains(index, e.Message);
        Assert.Contains(Lahja.Hub.HubText.Show(shard), e.Message);
        Assert.DoesNotContain('\u0000', e.Message);
        Assert.DoesNotContain('\u001b', e.Message);
    }

    internal static void WriteRaw(string path, string header, byte[] data)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + headerBytes.Length);
        File.WriteAllBytes(path, bytes);
    }
}
