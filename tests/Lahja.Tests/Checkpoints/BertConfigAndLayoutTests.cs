using System.Text.Json.Nodes;
using Lahja.Checkpoints;

namespace Lahja.Tests.Checkpoints;

public sealed class BertConfigAndLayoutTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lahja-cfg-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private static readonly string Labels = string.Join(",", Dialects.Table.Select((d, i) => $"\"{i}\":\"{d.Label}\""));

    [Fact]
    public void Config_reads_fields_labels_and_keeps_the_rest()
    {
        var path = Path.Combine(_directory, "config.json");
        File.WriteAllText(path, $$"""{"hidden_size":32,"num_attention_heads":4,"num_hidden_layers":2,"intermediate_size":64,"vocab_size":100,"id2label":{{{Labels}}},"problem_type":"multi_label_classification","transformers_version":"4.44.0"}""");
        var config = BertConfig.Load(path);
        Assert.Equal(32, config.HiddenSize);
        Assert.Equal(18, config.NumLabels);
        Assert.Equal("Saudi_Arabia", config.Id2Label[12]);
        Assert.Equal("multi_label_classification", config.ProblemType);
        Assert.Equal(1e-12, config.LayerNormEps);
        config.Save(path);
        var saved = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("4.44.0", saved["transformers_version"]!.GetValue<string>());
        Assert.Equal(12, saved["label2id"]!["Saudi_Arabia"]!.GetValue<int>());
        Assert.Equal(config.Id2Label, BertConfig.Load(path).Id2Label);
    }

    [Theory]
    [InlineData("""{"hidden_size":30,"num_attention_heads":4}""", "multiple of num_attention_heads")]
    [InlineData("""{"hidden_size":"big"}""", "field \"hidden_size\"")]
    [InlineData("""{"hidden_act":"swish"}""", "not supported")]
    [InlineData("""{"id2label":{"0":"a","2":"b"}}""", "without gaps")]
    [InlineData("""{ nope""", "not valid JSON")]
    [InlineData("""{"num_hidden_layers":1000000000}""", "field \"num_hidden_layers\" must be a whole number from 1 to 1024, found 1000000000")]
    [InlineData("""{"num_hidden_layers":1e30}""", "field \"num_hidden_layers\" must be a whole number from 1 to 1024, found 1e30")]
    [InlineData("""{"num_hidden_layers":2.5}""", "field \"num_hidden_layers\" must be a whole number from 1 to 1024, found 2.5")]
    [InlineData("""{"num_hidden_layers":2.0}""", "found 2.0")] // transformers' range() would refuse a float too
    [InlineData("""{"num_hidden_layers":0}""", "field \"num_hidden_layers\"")]
    [InlineData("""{"intermediate_size":1000000000000}""", "field \"intermediate_size\" must be a whole number from 1 to 262144, found 1000000000000")]
    [InlineData("""{"hidden_size":-768}""", "field \"hidden_size\"")]
    [InlineData("""{"vocab_size":0}""", "field \"vocab_size\"")]
    [InlineData("""{"max_position_embeddings":"512"}""", "field \"max_position_embeddings\"")]
    [InlineData("""{"num_labels":1000000000}""", "field \"num_labels\"")]
    [InlineData("""{"pad_token_id":-1}""", "field \"pad_token_id\"")]
    [InlineData("""{"vocab_size":100,"pad_token_id":100}""", "pad_token_id 100 is outside the supported range 0 to 99")]
    [InlineData("""{"vocab_size":16777216,"hidden_size":65536,"num_attention_heads":1}""", "vocab_size 16777216 × hidden_size 65536 makes a tensor over 2 GiB")]
    [InlineData("""{"layer_norm_eps":-1e-12}""", "layer_norm_eps -1E-12 is not a positive number")]
    [InlineData("""{"layer_norm_eps":0}""", "layer_norm_eps 0 is not a positive number")]
    [InlineData("""{"hidden_dropout_prob":1.5}""", "hidden_dropout_prob 1.5 is not a probability")]
    [InlineData("""{"position_embedding_type":"relative_key"}""", "position_embedding_type \"relative_key\" is not supported")]
    public void Bad_configs_are_clear_errors(string json, string expected)
    {
        var path = Path.Combine(_directory, "config.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidDataException>(() => BertConfig.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void Layout_accepts_key_variants()
    {
        var config = new BertConfig { HiddenSize = 4, NumAttentionHeads = 2, NumHiddenLayers = 1, IntermediateSize = 8, VocabSize = 10, MaxPositionEmbeddings = 6 };
        var stored = BertCheckpointLayout.Parameters(config, 18)
            .Select(p => (Name: p.Name.StartsWith("bert.") ? p.Name[5..].Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta") : p.Name, p.Shape))
            .Append((Name: "embeddings.position_ids", Shape: new long[] { 1, 6 }))
            .ToDictionary(p => p.Name, p => new TensorInfo(p.Name, p.Name.EndsWith("position_ids") ? TensorDType.I64 : TensorDType.F32, p.Shape));
        var map = BertCheckpointLayout.Match(config, 18, stored, "test");
        Assert.Equal("embeddings.LayerNorm.gamma", map["bert.embeddings.LayerNorm.weight"]);
        Assert.Equal(BertCheckpointLayout.Parameters(config, 18).Count, map.Count);
    }

    [Fact]
    public void Layout_lists_every_problem_in_one_error()
    {
        var config = new BertConfig { HiddenSize = 4, NumAttentionHeads = 2, NumHiddenLayers = 1, IntermediateSize = 8, VocabSize = 10, MaxPositionEmbeddings = 6 };
        var stored = BertCheckpointLayout.Parameters(config, 18)
            .Where(p => p.Name != "bert.pooler.dense.bias")
            .Select(p => p.Name == "classifier.weight" ? (p.Name, Shape: new long[] { 17, 4 }) : p)
            .Append(("cls.predictions.bias", new long[] { 10 }))
            .ToDictionary(p => p.Item1, p => new TensorInfo(p.Item1, TensorDType.F32, p.Item2));
        var e = Assert.Throws<CheckpointMismatchException>(() => BertCheckpointLayout.Match(config, 18, stored, "ckpt"));
        Assert.Contains("missing (1)", e.Message);
        Assert.Contains("bert.pooler.dense.bias", e.Message);
        Assert.Contains("unexpected (1)", e.Message);
        Assert.Contains("cls.predictions.bias", e.Message);
        Assert.Contains("classifier.weight: stored [17, 4], config needs [18, 4]", e.Message);
        // Fine-tuning from a pre-trained encoder: head tensors may be missing, pre-training heads ignored.
        var withoutHead = stored.Where(p => !p.Key.StartsWith("classifier") && !p.Key.StartsWith("bert.pooler")).ToDictionary();
        Assert.NotEmpty(BertCheckpointLayout.Match(config, 18, withoutHead, "ckpt", headOptional: true));
    }

    [Fact]
    public void Layer_count_is_checked_against_the_weights_before_anything_is_built_per_layer()
    {
        var small = new BertConfig { HiddenSize = 4, NumAttentionHeads = 2, NumHiddenLayers = 1, IntermediateSize = 8, VocabSize = 10, MaxPositionEmbeddings = 6 };
        var stored = BertCheckpointLayout.Parameters(small, 18).ToDictionary(p => p.Name, p => new TensorInfo(p.Name, TensorDType.F32, p.Shape));
        // Built directly, so Validate's upper bound does not stop it first: the tensors must.
        var huge = small with { NumHiddenLayers = 200_000 };
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointMismatchException>(() => BertCheckpointLayout.Match(huge, 18, stored, "ckpt"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("ckpt does not match its config: num_hidden_layers is 200000, but the weights hold 1 (layers 0 to 0)", e.Message);
        // 200,000 layers' expected names and shapes take hundreds of MB; checking the stored keys takes a few kB.
        Assert.True(allocated < 1_000_000, $"{allocated} bytes allocated before refusing");
        var e2 = Assert.Throws<CheckpointMismatchException>(() => BertCheckpointLayout.Match(small with { NumHiddenLayers = 3 }, 18, stored, "ckpt"));
        Assert.Contains("num_hidden_layers is 3, but the weights hold 1", e2.Message);
        var noLayers = stored.Where(p => !p.Key.Contains(".layer.")).ToDictionary();
        Assert.Contains("the weights hold no encoder layer", Assert.Throws<CheckpointMismatchException>(() => BertCheckpointLayout.Match(small, 18, noLayers, "ckpt")).Message);
    }

    [Fact]
    public void Label_map_accepts_names_generic_and_rejects_others()
    {
        Assert.True(LabelMap.FromId2Label(Dialects.Table.Select(d => d.Label).ToArray(), "x").IsIdentity);
        Assert.True(LabelMap.FromId2Label(Enumerable.Range(0, 18).Select(i => $"LABEL_{i}").ToArray(), "x").IsIdentity);
        var isoReversed = LabelMap.FromId2Label(Dialects.Table.Select(d => d.IsoCode).Reverse().ToArray(), "x");
        Assert.Equal(0, isoReversed.OutputForDialect[(int)Dialect.Yemen]);
        Assert.Contains("17 labels", Assert.Throws<InvalidDataException>(() => LabelMap.FromId2Label(new string[17], "x")).Message);
        var names = Dialects.Table.Select(d => d.Label).ToArray();
        names[3] = "Mauritania";
        Assert.Contains("\"Mauritania\" is not a dialect", Assert.Throws<InvalidDataException>(() => LabelMap.FromId2Label(names, "x")).Message);
        names[3] = "Egypt";
        Assert.Contains("repeats Egypt", Assert.Throws<InvalidDataException>(() => LabelMap.FromId2Label(names, "x")).Message);
    }
}
