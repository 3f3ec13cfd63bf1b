using Lahja.Checkpoints;
using static TorchSharp.torch;

namespace Lahja.Torch;

/// <summary>Loads Hugging Face checkpoints into, and saves them from, <see cref="BertForSequenceClassification"/>.</summary>
public static class TorchCheckpoint
{
    /// <summary>
    /// Opens the weights of a checkpoint directory: <c>model.safetensors</c>, its sharded index, or <c>pytorch_model.bin</c>.
    /// </summary>
    public static ITensorSource OpenTensors(string directory) => CheckpointFiles.OpenWeights(directory);

    /// <summary>
    /// Builds the model for <paramref name="config"/> and copies every parameter from <paramref name="tensors"/>,
    /// after checking names and shapes (<see cref="BertCheckpointLayout.Match"/>). With
    /// <paramref name="headOptional"/>, a missing pooler/classifier keeps its random initialisation.
    /// </summary>
    public static BertForSequenceClassification Load(BertConfig config, int numLabels, ITensorSource tensors, string source, bool headOptional = false)
    {
        TorchRuntime.EnsureInitialized();
        var map = BertCheckpointLayout.Match(config, numLabels, tensors.Tensors, source, headOptional);
        var model = new BertForSequenceClassification(config, numLabels);
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (!map.TryGetValue(name, out var key)) continue;
                // Straight into the parameter's memory: no managed or temporary copy of the weights.
                tensors.ReadInto(key, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(parameter.bytes));
            }
        }
        model.eval();
        return model;
    }

    /// <summary>The model's parameters as (canonical name, shape, float32 data), in module order, for saving.</summary>
    public static IEnumerable<(string Name, long[] Shape, float[] Data)> Parameters(TorchSharp.torch.nn.Module model)
    {
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var cpu = parameter.detach().cpu().contiguous();
            yield return (name, parameter.shape, cpu.data<float>().ToArray());
        }
    }
}
