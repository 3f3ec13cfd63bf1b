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
