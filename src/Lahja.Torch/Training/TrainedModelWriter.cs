using System.Text.Json;
using System.Text.Json.Nodes;
using Lahja.Checkpoints;
using Lahja.Text;

namespace Lahja.Torch.Training;

/// <summary>
/// Writes a run's result as a Hugging Face checkpoint that Lahja, <c>transformers</c> and <c>AutoTokenizer</c> load:
/// weights, config, the tokenizer's files and settings, and <c>lahja.json</c> (threshold and provenance).
/// </summary>
internal sealed class TrainedModelWriter(BertConfig config, BertTokenizer tokenizer, string tokenizerDirectory, TrainingOptions options)
{
    /// <summary>Writes the weights of <paramref name="weightsDirectory"/> and the rest into <paramref name="output"/>.</summary>
    public void Write(string weightsDirectory, string output, TrainingState state)
    {
        File.Copy(Path.Combine(weightsDirectory, CheckpointFiles.SafeTensors), Path.Combine(output, CheckpointFiles.SafeTensors), overwrite: true);
        config.Save(Path.Combine(output, CheckpointFiles.Config));
        WriteTokenizer(tokenizer, tokenizerDirectory, options.MaxLength, output);
        new LahjaSettings
        {
            Threshold = options.Threshold,
            Provenance = FormattableString.Invariant(
                $"lahja train: {options.Curriculum} curriculum, {state.GlobalStep} steps, lr {options.LearningRate}, batch {options.BatchSize}, seed {options.Seed}, preprocessing {options.Preprocessing}")
                + (double.IsNegativeInfinity(state.BestMetric) ? "" : FormattableString.Invariant($", best dev metric {state.BestMetric:0.00}")),
        }.Save(output);
    }

    /// <summary>
    /// The tokenizer's files (<c>vocab.txt</c>, <c>tokenizer.json</c> when there is one) and a
    /// <c>tokenizer_config.json</c> with its settings, into <paramref name="output"/>.
    /// </summary>
    public static void WriteTokenizer(BertTokenizer tokenizer, string tokenizerDirectory, int maxLength, string output)
    {
        foreach (var file in new[] { "vocab.txt", "tokenizer.json" })
            if (File.Exists(Path.Combine(tokenizerDirectory, file)))
                File.Copy(Path.Combine(tokenizerDirectory, file), Path.Combine(output, file), overwrite: true);
        // Written explicitly, so Python's AutoTokenizer tokenizes exactly as training did.
        var s = tokenizer.Settings;
        var tokenizerConfig = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer", ["do_lower_case"] = s.DoLowerCase, ["strip_accents"] = s.StripAccents,
            ["tokenize_chinese_chars"] = s.TokenizeChineseChars, ["model_max_length"] = maxLength,
            ["unk_token"] = s.UnkToken, ["cls_token"] = s.ClsToken, ["sep_token"] = s.SepToken, ["pad_token"] = s.PadToken, ["mask_token"] = s.MaskToken,
        };
        AtomicFile.WriteAllText(Path.Combine(output, "tokenizer_config.json"), tokenizerConfig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
