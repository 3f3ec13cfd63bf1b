using System.Collections;
using Lahja.Checkpoints;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Lahja.Torch;

/// <summary>Tensors of a <c>pytorch_model.bin</c> (torch.save's zip of pickles), read with TorchSharp.PyBridge.</summary>
public sealed class PyTorchBinTensorSource : ITensorSource
{
    private readonly Dictionary<string, Tensor> _tensors;

    private PyTorchBinTensorSource(string path, Dictionary<string, Tensor> tensors)
    {
        Path = path;
        _tensors = tensors;
        Tensors = tensors.ToDictionary(p => p.Key, p => new TensorInfo(p.Key, ToDType(p.Value.dtype, path, p.Key), p.Value.shape), StringComparer.Ordinal);
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; }

    /// <summary>Reads the state dict in <paramref name="path"/>; a corrupt or truncated file is an <see cref="InvalidDataException"/>.</summary>
    public static PyTorchBinTensorSource Open(string path)
    {
        TorchRuntime.EnsureInitialized();
        Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: not a readable PyTorch state dict ({e.GetType().Name}: {e.Message}).", e);
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string name && entry.Value is Tensor tensor) tensors[name] = tensor;
        }
        return new PyTorchBinTensorSource(path, tensors);
    }

    private static TensorDType ToDType(ScalarType type, string path, string name) => type switch
    {
        ScalarType.Float32 => TensorDType.F32,
        ScalarType.Float16 => TensorDType.F16,
        ScalarType.BFloat16 => TensorDType.BF16,
        ScalarType.Int64 => TensorDType.I64,
        _ => throw new InvalidDataException($"{path}: tensor \"{name}\" has unsupported type {type}."),
    };

    /// <inheritdoc />
    public void ReadInto(string name, Span<float> destination)
    {
        using var asFloat = _tensors[name].to(ScalarType.Float32).contiguous();
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(asFloat.bytes).CopyTo(destination);
        NonFiniteWeightsException.ThrowIfAny(destination, Path, name);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
    }
}
