using System.Text.Json.Nodes;

namespace Lahja.Tests.Engine;

/// <summary>
/// A model runs at the length it declares (tokenizer_config.json's model_max_length, config.json's
/// max_position_embeddings) unless told otherwise: the bundled model was trained at 64 tokens over 128 positions, and
/// longer input reached position embeddings training never updated.
/// </summary>
public sealed class ModelMaxLengthTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    // Far longer than any limit below: 300 words of the tiny vocabulary's letters.
    private static readonly string LongText = string.Join(' ', Enumerable.Repeat("a b c", 100));

    [Fact]
    public void A_model_that_declares_a_shorter_length_runs_at_it()
    {
        var model = Checkpoint(modelMaxLength: 16);
        var engine = new RecordingEngine();
        using var identifier = DialectIdentifier.Load(model, new DialectIdentifierOptions { Engine = engine, Preprocessing = "none" });

        identifier.Predict(LongText);

        Assert.Equal(16, identifier.MaxLength);
        Assert.Equal(16, identifier.Options.MaxLength);
        Assert.Equal(16, Assert.Single(engine.Passes).Length);
    }

    [Fact]
    public void Without_a_declared_length_the_default_is_128_as_B2BERT_published()
    {
        var engine = new RecordingEngine();
        using var identifier = DialectIdentifier.Load(Checkpoint(modelMaxLength: null), new DialectIdentifierOptions { Engine = engine, Preprocessing = "none" });

        identifier.Predict(LongText);

        Assert.Equal(128, identifier.MaxLength);
        Assert.Equal(128, Assert.Single(engine.Passes).Length);
    }

    [Fact]
    public void A_declared_length_above_128_still_runs_at_128()
    {
        using var identifier = DialectIdentifier.Load(Checkpoint(modelMaxLength: 512), new DialectIdentifierOptions { Engine = new RecordingEngine() });

        Assert.Equal(128, identifier.MaxLength);
    }

    [Fact]
    public void Fewer_positions_than_128_bound_the_default_instead_of_refusing_to_load()
    {
        using var identifier = DialectIdentifier.Load(Checkpoint(modelMaxLength: null, positions: 40), new DialectIdentifierOptions { Engine = new RecordingEngine() });

        Assert.Equal(40, identifier.MaxLength);
    }

    [Fact]
    public void An_explicit_length_wins_up_to_the_positions_the_model_has()
    {
        var model = Checkpoint(modelMaxLength: 16, positions: 100);
        var engine = new RecordingEngine();
        using (var identifier = DialectIdentifier.Load(model, new DialectIdentifierOptions { Engine = engine, Preprocessing = "none", MaxLength = 64 }))
        {
            identifier.Predict(LongText);
            Assert.Equal(64, Assert.Single(engine.Passes).Length);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => DialectIdentifier.Load(model, new DialectIdentifierOptions { Engine = engine, MaxLength = 101 }));
    }

    // The tiny test checkpoint's config and vocabulary, with the declared length and positions given.
    private string Checkpoint(int? modelMaxLength, int? positions = null)
    {
        var source = ModelFixtures.Checkpoint("f32");
        var directory = _temp.Sub($"model-{modelMaxLength}-{positions}");
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(source, "vocab.txt"), Path.Combine(directory, "vocab.txt"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "config.json")))!.AsObject();
        if (positions is { } p) config["max_position_embeddings"] = p;
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString());
        if (modelMaxLength is { } length)
            File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), new JsonObject { ["model_max_length"] = length }.ToJsonString());
        return directory;
    }

    public void Dispose() => _temp.Dispose();
}
