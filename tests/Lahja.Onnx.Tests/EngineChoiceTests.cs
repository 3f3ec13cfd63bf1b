using Lahja.Checkpoints;

namespace Lahja.Onnx.Tests;

/// <summary>How the ONNX engine is plugged in and which precision it runs at.</summary>
public class EngineChoiceTests
{
    [Fact]
    public void Load_without_an_engine_is_an_error_even_where_Lahja_Onnx_is_referenced()
    {
        // Nothing is found by type name: a trimmed publish would drop such an engine silently.
        var error = Assert.Throws<InvalidOperationException>(() => DialectIdentifier.Load(ModelFixtures.Checkpoint("f32")));
        Assert.Contains("Lahja.Onnx", error.Message);
    }

    [Theory]
    [InlineData(null, null, OnnxPrecision.Fp32)]
    [InlineData("int8", null, OnnxPrecision.Int8)]
    [InlineData("fp32", null, OnnxPrecision.Fp32)]
    [InlineData("int8", OnnxPrecision.Fp32, OnnxPrecision.Fp32)]
    [InlineData(null, OnnxPrecision.Int8, OnnxPrecision.Int8)]
    public void The_models_tested_precision_applies_unless_one_is_chosen(string? saved, OnnxPrecision? chosen, OnnxPrecision expected)
    {
        using var copy = new ModelFixtures.Copy("f32");
        if (saved is not null) new LahjaSettings { Precision = saved }.Save(copy.Path);
        var factory = new OnnxEngineFactory(chosen);
        using var engine = (OnnxDialectEngine)factory.Create(copy.Path, CheckpointFiles.LoadConfig(copy.Path), 1);
        Assert.Equal(expected, engine.Precision);
    }

    [Fact]
    public void An_unknown_precision_in_lahja_json_names_the_file_and_the_field()
    {
        using var copy = new ModelFixtures.Copy("f32");
        File.WriteAllText(copy.File(LahjaSettings.FileName), """{"precision": "int4"}""");
        var error = Assert.Throws<InvalidDataException>(() => DialectIdentifier.Load(copy.Path, new DialectIdentifierOptions { Engine = new OnnxEngineFactory() }));
        Assert.Contains(LahjaSettings.FileName, error.Message);
        Assert.Contains("precision 'int4'", error.Message);
    }
}
