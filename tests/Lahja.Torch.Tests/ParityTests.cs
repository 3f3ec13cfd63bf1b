
namespace Lahja.Torch.Tests;

/// <summary>
/// Lahja's probabilities vs PyTorch's (tools/reference/bert_reference.py) for the same checkpoint and texts, with
/// the tokenizer settings B2BERT's Hub files give (no tokenizer_config.json: lowercase, accents stripped) and no
/// preprocessing — the model card snippet's semantics. Tolerance: max |Δp| ≤ 1e-5.
/// </summary>
public class ParityTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Checkpoints => new() { "f32", "f16", "bf16", "pytorch-bin", "generic-labels", "legacy-keys", "reordered-labels" };

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Probabilities_match_pytorch(string checkpoint)
    {
        using var identifier = TestModels.Load(ModelFixtures.Checkpoint(checkpoint), new DialectIdentifierOptions { Preprocessing = "none", BatchSize = 16 });
        var predictions = identifier.Predict(ModelFixtures.Texts);
        var expected = ModelFixtures.Probabilities(checkpoint);
        Assert.Equal(expected.Count, predictions.Count);
        var worst = 0.0;
        for (var i = 0; i < expected.Count; i++)
            for (var d = 0; d < Dialects.Count; d++)
                worst = Math.Max(worst, Math.Abs(predictions[i].Probabilities[d] - expected[i][identifier.Labels.OutputForDialect[d]]));
        TestContext.Current.TestOutputHelper?.WriteLine($"{checkpoint}: max |Δp| = {worst:E2} over {expected.Count} texts");
        Assert.True(worst <= Tolerance, $"max |Δp| = {worst:E2} exceeds {Tolerance:E0}");
    }

    [Fact]
    public void Reordered_labels_are_mapped_by_name()
    {
        using var identifier = TestModels.Load(ModelFixtures.Checkpoint("reordered-labels"));
        Assert.False(identifier.Labels.IsIdentity);
        Assert.Equal(17, identifier.Labels.OutputForDialect[(int)Dialect.Algeria]);
        using var generic = TestModels.Load(ModelFixtures.Checkpoint("generic-labels"));
        Assert.True(generic.Labels.IsIdentity);
        Assert.Contains("canonical order", generic.Labels.Description);
    }

    [Fact]
    public void Bert_base_shaped_checkpoint_matches_pytorch()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("LAHJA_BERT_BASE_TEST") == "1",
            "Opt-in (set LAHJA_BERT_BASE_TEST=1): generates a 436 MB BERT-base-shaped checkpoint.");
        Assert.SkipUnless(TorchReference.Available, "Debian's python3-torch is not installed.");
        using var work = new TemporaryDirectory();
        var checkpoint = work.Sub("base");
        TorchReference.MakeCheckpoint(checkpoint, "--vocab-size", "30000", "--layers", "12", "--hidden", "768", "--heads", "12", "--intermediate", "3072", "--seed", "3", "--init-std", "0.02");
        // The padding tokens never match text, so the fixture ids are this vocabulary's ids too.
        var expected = TorchReference.Predict(checkpoint, Path.Combine(ModelFixtures.Directory, "parity-ids.jsonl"));
        using var identifier = TestModels.Load(checkpoint, new DialectIdentifierOptions { Preprocessing = "none", Threads = 2 });
        var predictions = identifier.Predict(ModelFixtures.Texts);
        var worst = predictions.Select((p, i) => Enumerable.Range(0, 18).Max(d => Math.Abs(p.Probabilities[d] - expected[i][d]))).Max();
        TestContext.Current.TestOutputHelper?.WriteLine($"BERT-base shape: max |Δp| = {worst:E2} over {expected.Count} texts");
        Assert.True(worst <= Tolerance, $"max |Δp| = {worst:E2}");
    }

    [Fact]
    public void Live_reference_agrees_on_nadi_sentences()
    {
        var data = ReferenceTools.SharedData;
        Assert.SkipWhen(data is null, "../shared/data is absent: this comparison uses the NADI 2024 test sentences.");
        var node = ReferenceTools.Node;
        Assert.SkipWhen(node is null, "Node or tools/reference/node_modules is missing (npm ci).");
        Assert.SkipUnless(TorchReference.Available, "Debian's python3-torch is not installed.");
        var sentences = File.ReadLines(Path.Combine(data!, "nadi", "mladi-test", "NADI2024_subtask1_test_sentences.tsv")).Skip(1).ToList();
        using var work = new TemporaryDirectory();
        var checkpoint = work.Sub("model");
        TorchReference.MakeCheckpoint(checkpoint, "--seed", "11", "--layers", "3", "--max-positions", "128");
        var options = new DialectIdentifierOptions { Preprocessing = "b2bert" };
        var preprocessed = sentences.Select(Lahja.Text.TextPreprocessor.B2Bert.Process).ToList();
        var input = ReferenceTools.WriteJsonLines(preprocessed);
        try
        {
            var ids = ReferenceTools.Run(node!, "hf_tokenize.mjs", "--vocab", Path.Combine(checkpoint, "vocab.txt"), "--lower", "true", "--max-length", "128", input);
            var idsPath = work.Sub("ids.jsonl");
            File.WriteAllText(idsPath, ids);
            var expected = TorchReference.Predict(checkpoint, idsPath);
            using var identifier = TestModels.Load(checkpoint, options);
            var predictions = identifier.Predict(sentences);
            var worst = predictions.Select((p, i) => Enumerable.Range(0, 18).Max(d => Math.Abs(p.Probabilities[d] - expected[i][d]))).Max();
            TestContext.Current.TestOutputHelper?.WriteLine($"NADI 2024 test sentences: max |Δp| = {worst:E2} over {sentences.Count}");
            Assert.True(worst <= Tolerance, $"max |Δp| = {worst:E2} over {sentences.Count} sentences");
        }
        finally
        {
            File.Delete(input);
        }
    }
}
