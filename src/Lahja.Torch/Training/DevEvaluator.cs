using Lahja.Evaluation;
using Lahja.Text;
using static TorchSharp.torch;

namespace Lahja.Torch.Training;

/// <summary>Scores a model on the dev set with the official scorer, at the run's threshold.</summary>
internal sealed class DevEvaluator(DevSet dev, TokenizedText[] encodings, BertTokenizer tokenizer, float threshold)
{
    /// <summary>What <see cref="Evaluate"/> measures (<see cref="Trainer.MetricName"/>).</summary>
    public string MetricName => Trainer.MetricName(dev);

    /// <summary>The dev metric, 0–100, of <paramref name="model"/> (left in eval mode) on <paramref name="device"/>.</summary>
    public double Evaluate(BertForSequenceClassification model, Device device)
    {
        model.eval();
        var probabilities = new float[encodings.Length][];
        using (inference_mode())
        {
            var order = Enumerable.Range(0, encodings.Length).OrderBy(i => encodings[i].Count).ToArray();
            foreach (var chunk in order.Chunk(64))
            {
                using var scope = NewDisposeScope();
                var p = model.forward(tokenizer.Pad(chunk.Select(i => encodings[i]).ToArray()), device).sigmoid().cpu().data<float>().ToArray();
                for (var r = 0; r < chunk.Length; r++) probabilities[chunk[r]] = p[(r * Dialects.Count)..((r + 1) * Dialects.Count)];
            }
        }
        if (dev.MultiLabel is { } gold)
            return MultiLabelScorer.Score(gold, ThresholdAnalysis.Decide(probabilities, new DecisionRule { Threshold = threshold })).MacroF1;
        return SingleLabelScorer.Score(dev.SingleLabel!, probabilities, _ => threshold).ArgMaxMacroF1;
    }
}
