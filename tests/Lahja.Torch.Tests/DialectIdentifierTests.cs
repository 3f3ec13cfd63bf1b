using System.Text.Json.Nodes;

namespace Lahja.Torch.Tests;

public sealed class DialectIdentifierTests : IClassFixture<DialectIdentifierTests.Loaded>
{
    private readonly DialectIdentifier _identifier;

    public DialectIdentifierTests(Loaded loaded) => _identifier = loaded.Identifier;

    public sealed class Loaded : IDisposable
    {
        public DialectIdentifier Identifier { get; } = TestModels.Load(ModelFixtures.Checkpoint("f32"), new DialectIdentifierOptions { BatchSize = 7 });

        public void Dispose() => Identifier.Dispose();
    }

    [Fact]
    public void Batched_results_come_back_in_input_order()
    {
        var texts = ModelFixtures.Texts.Take(40).ToList();
        var batched = _identifier.Predict(texts);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Same(texts[i], batched[i].Text);
            var single = _identifier.Predict(texts[i]);
            for (var d = 0; d < 18; d++)
                Assert.Equal(single.Probabilities[d], batched[i].Probabilities[d], 1e-6);
        }
    }

    [Fact]
    public void Prediction_lists_dialects_over_threshold_top_k_and_regions()
    {
        var p = _identifier.Predict("شلونك حبيبي شخبارك");
        Assert.Equal(18, p.Probabilities.Count);
        Assert.All(p.Dialects, s => Assert.True(s.Probability >= 0.3f));
        Assert.Equal(p.Probabilities.Count(x => x >= 0.3f), p.Dialects.Count);
        Assert.Equal(p.Dialects.OrderByDescending(s => s.Probability).Select(s => s.Dialect), p.Dialects.Select(s => s.Dialect));
        Assert.Equal(3, p.Top.Count);
        Assert.Equal(p.Probabilities.Max(), p.Top[0].Probability);
        Assert.Equal(p.Probabilities.Select(x => (double)x).Max(), p.Regions.Max(), 6);
        Assert.Equal(p.Probabilities[(int)Dialect.Iraq], p[Dialect.Iraq]);
    }

    [Fact]
    public void Empty_and_whitespace_texts_get_a_defined_result()
    {
        var empty = _identifier.Predict("");
        var blank = _identifier.Predict("   \t ");
        Assert.Equal(18, empty.Probabilities.Count);
        Assert.Equal(empty.Probabilities, blank.Probabilities);
        Assert.Throws<ArgumentNullException>(() => _identifier.Predict((string)null!));
        Assert.Throws<ArgumentNullException>(() => _identifier.Predict(["x", null!]));
        Assert.Empty(_identifier.Predict(Array.Empty<string>()));
    }

    [Fact]
    public async Task Streaming_matches_the_list_api()
    {
        var texts = ModelFixtures.Texts.Take(120).ToList();
        var expected = _identifier.Predict(texts);
        var streamed = new List<DialectPrediction>();
        await foreach (var p in _identifier.PredictAsync(texts.ToAsyncEnumerable(), TestContext.Current.CancellationToken))
            streamed.Add(p);
        Assert.Equal(texts, streamed.Select(p => p.Text));
        // Windows batch texts differently from one big list, so padding (and float summation order) may differ.
        for (var i = 0; i < texts.Count; i++)
            for (var d = 0; d < 18; d++)
                Assert.Equal(expected[i].Probabilities[d], streamed[i].Probabilities[d], 1e-6);
    }

    [Fact]
    public void Concurrent_calls_are_safe()
    {
        var texts = ModelFixtures.Texts.Take(16).ToList();
        var expected = _identifier.Predict(texts);
        Parallel.For(0, 8, _ =>
        {
            var got = _identifier.Predict(texts);
            for (var i = 0; i < texts.Count; i++) Assert.Equal(expected[i].Probabilities, got[i].Probabilities);
        });
    }

    [Fact]
    public void Per_dialect_thresholds_override_the_global_one()
    {
        using var strict = TestModels.Load(ModelFixtures.Checkpoint("f32"), new DialectIdentifierOptions
        {
            Threshold = 1f,
            DialectThresholds = new Dictionary<Dialect, float> { [Dialect.Egypt] = 0f },
            TopK = 5,
        });
        var p = strict.Predict("اي حاجه");
        Assert.Equal([Dialect.Egypt], p.Dialects.Select(s => s.Dialect));
        Assert.Equal(5, p.Top.Count);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        var path = ModelFixtures.Checkpoint("f32");
        Assert.Throws<ArgumentOutOfRangeException>(() => TestModels.Load(path, new DialectIdentifierOptions { Threshold = 1.5f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestModels.Load(path, new DialectIdentifierOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => TestModels.Load(path, new DialectIdentifierOptions { Preprocessing = "camel" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestModels.Load(path, new DialectIdentifierOptions { MaxLength = 1 }));
    }
}

/// <summary>Broken checkpoints fail on load with a message that names the problem.</summary>
public sealed class BadCheckpointTests
{
    [Fact]
    public void Missing_directory_config_vocab_and_weights()
    {
        Assert.Throws<DirectoryNotFoundException>(() => TestModels.Load("/nonexistent/lahja-model"));
        using var copy = new ModelFixtures.Copy("f32");
        File.Delete(copy.File("vocab.txt"));
        Assert.Contains("neither tokenizer.json nor vocab.txt", Assert.Throws<FileNotFoundException>(() => TestModels.Load(copy.Path)).Message);
        File.Copy(Path.Combine(ModelFixtures.Checkpoint("f32"), "vocab.txt"), copy.File("vocab.txt"));
        File.Delete(copy.File("model.safetensors"));
        Assert.Contains("has no weights", Assert.Throws<FileNotFoundException>(() => TestModels.Load(copy.Path)).Message);
        File.Delete(copy.File("config.json"));
        Assert.Contains("config.json", Assert.Throws<FileNotFoundException>(() => TestModels.Load(copy.Path)).Message);
    }

    [Fact]
    public void Truncated_weights()
    {
        using var copy = new ModelFixtures.Copy("f32");
        var bytes = File.ReadAllBytes(copy.File("model.safetensors"));
        File.WriteAllBytes(copy.File("model.safetensors"), bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => TestModels.Load(copy.Path));
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void Corrupt_pytorch_bin()
    {
        using var copy = new ModelFixtures.Copy("pytorch-bin");
        File.WriteAllBytes(copy.File("pytorch_model.bin"), [1, 2, 3, 4, 5]);
        Assert.Contains("pytorch_model.bin", Assert.Throws<InvalidDataException>(() => TestModels.Load(copy.Path)).Message);
    }

    [Fact]
    public void Shapes_that_disagree_with_the_config()
    {
        using var copy = new ModelFixtures.Copy("f32");
        EditConfig(copy, c => c["intermediate_size"] = 48);
        var e = Assert.Throws<Lahja.Checkpoints.CheckpointMismatchException>(() => TestModels.Load(copy.Path));
        Assert.Contains("wrong shape (6)", e.Message); // intermediate weight and bias, output weight, in 2 layers
        Assert.Contains("intermediate.dense.weight: stored [64, 32], config needs [48, 32]", e.Message);
    }

    [Fact]
    public void Label_count_that_disagrees()
    {
        using var copy = new ModelFixtures.Copy("f32");
        EditConfig(copy, c => ((JsonObject)c["id2label"]!).Remove("17"));
        Assert.Contains("17 labels", Assert.Throws<InvalidDataException>(() => TestModels.Load(copy.Path)).Message);
    }

    [Fact]
    public void Vocabulary_larger_than_the_embedding()
    {
        using var copy = new ModelFixtures.Copy("f32");
        EditConfig(copy, c => c["vocab_size"] = 100);
        Assert.Contains("vocab_size is 100", Assert.Throws<InvalidDataException>(() => TestModels.Load(copy.Path)).Message);
    }

    private static void EditConfig(ModelFixtures.Copy copy, Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(File.ReadAllText(copy.File("config.json")))!.AsObject();
        edit(config);
        File.WriteAllText(copy.File("config.json"), config.ToJsonString());
    }
}
