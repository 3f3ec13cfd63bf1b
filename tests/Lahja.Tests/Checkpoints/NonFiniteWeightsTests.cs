using Lahja.Checkpoints;

namespace Lahja.Tests.Checkpoints;

/// <summary>NaN or infinite weights are refused while they are read, with the file and the tensor named.</summary>
public sealed class NonFiniteWeightsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lahja-nonfinite-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void Float32_tensor_with_a_non_finite_value_is_refused(float bad, string shown)
    {
        var path = Path.Combine(_directory, "w.safetensors");
        // 37 values: the bad one sits past the vector blocks' start, then in the scalar tail on most machines.
        var values = Enumerable.Range(0, 37).Select(i => i * 0.5f).ToArray();
        values[35] = bad;
        SafeTensorsFile.Write(path, [("ok", [2], [1f, 2f]), ("encoder.weight", [37], values)]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal([1f, 2f], file.ReadFloat32("ok"));
        var e = Assert.Throws<NonFiniteWeightsException>(() => file.ReadFloat32("encoder.weight"));
        Assert.Contains("w.safetensors", e.Message);
        Assert.Contains("\"encoder.weight\"", e.Message);
        Assert.Contains($"holds {shown} at element 35 of 37", e.Message);
    }

    [Fact]
    public void Half_and_bfloat16_infinity_and_nan_are_refused()
    {
        // F16 0x7C00 is +infinity; BF16 0x7FC0 is NaN.
        var path = Path.Combine(_directory, "h.safetensors");
        SafeTensorsTests.WriteRaw(path, """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}""",
            [0x00, 0x3C, 0x00, 0x7C, 0xC0, 0x7F, 0x80, 0x3F]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Contains("\"h\" holds Infinity at element 1", Assert.Throws<NonFiniteWeightsException>(() => file.ReadFloat32("h")).Message);
        Assert.Contains("\"b\" holds NaN at element 0", Assert.Throws<NonFiniteWeightsException>(() => file.ReadFloat32("b")).Message);
    }

    [Fact]
    public void Index_of_non_finite_scans_every_position()
    {
        var values = new float[70];
        Assert.Equal(-1, NonFiniteWeightsException.IndexOfNonFinite(values));
        values[0] = float.MaxValue;
        values[1] = -float.MaxValue;
        Assert.Equal(-1, NonFiniteWeightsException.IndexOfNonFinite(values));
        for (var i = 0; i < values.Length; i++)
        {
            var copy = (float[])values.Clone();
            copy[i] = float.NaN;
            Assert.Equal(i, NonFiniteWeightsException.IndexOfNonFinite(copy));
        }
    }
}
