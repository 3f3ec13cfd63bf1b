using Google.Protobuf;
using Onnx;

namespace Lahja.Onnx;

/// <summary>
/// Appends nodes and initializers to an ONNX graph with generated value names. Large weights are kept aside as
/// <see cref="WeightTensor"/>s: declared in the graph without data (the session supplies them from memory) or, for a
/// file, embedded.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The marker of a weight whose data the session supplies from memory.</summary>
    public const string InMemoryLocation = "lahja-weights-placeholder.bin";

    private readonly List<WeightTensor> _weights = [];
    private int _next;

    public GraphProto Graph { get; } = new() { Name = "lahja_bert" };

    public IReadOnlyList<WeightTensor> Weights => _weights;

    /// <summary>Adds a node with one output; returns the output's name.</summary>
    public string Node(string opType, string[] inputs, params AttributeProto[] attributes) => Node(opType, inputs, 1, null, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs (generated names, or <paramref name="outputNames"/>).</summary>
    public string[] Node(string opType, string[] inputs, int outputCount, string[]? outputNames, params AttributeProto[] attributes)
    {
        var id = _next++;
        var outputs = outputNames ?? Enumerable.Range(0, outputCount).Select(i => $"{opType.ToLowerInvariant()}_{id}_{i}").ToArray();
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{id}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return outputs;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A small int64 constant (dims <paramref name="dims"/>; empty = scalar) stored in the graph.</summary>
    public string ConstantInt64(string name, long[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A small float constant (dims <paramref name="dims"/>; empty = scalar) stored in the graph.</summary>
    public string ConstantFloat(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A weight (its array from <see cref="Allocate{T}"/>, so that its address is fixed): kept aside and declared in the graph (data supplied later, or embedded by <see cref="EmbedWeights"/>).</summary>
    public string Weight(string name, long[] shape, Array data)
    {
        var weight = new WeightTensor(name, shape, data);
        _weights.Add(weight);
        // Declared as external data in a placeholder file that is never read: the session is handed the weight as an
        // OrtValue over this array (SessionOptions.AddInitializer), which replaces the declaration.
        var tensor = new TensorProto { Name = name, DataType = (int)ElementType(data), DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.AddRange(shape);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = InMemoryLocation });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = weight.ByteCount.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Replaces every weight placeholder with the weight's bytes (a self-contained model file).</summary>
    public static void EmbedWeights(GraphProto graph, IReadOnlyList<WeightTensor> weights)
    {
        var byName = weights.ToDictionary(w => w.Name, StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            if (!byName.TryGetValue(tensor.Name, out var weight)) continue;
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
            tensor.RawData = weight.Data switch
            {
                float[] f => ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(f.AsSpan())),
                sbyte[] b => ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan())),
                _ => throw new InvalidOperationException($"Unsupported initializer element type {weight.Data.GetType()}."),
            };
        }
    }

    /// <summary>Declares a graph input or output of element type <paramref name="type"/> with named (dynamic) dimensions.</summary>
    public static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    /// <summary>A pinned array for weights (stays at one address for the session's lifetime).</summary>
    public static T[] Allocate<T>(long length) where T : unmanaged => GC.AllocateUninitializedArray<T>(checked((int)length), pinned: true);

    private static TensorProto.Types.DataType ElementType(Array data) => data switch
    {
        float[] => TensorProto.Types.DataType.Float,
        sbyte[] => TensorProto.Types.DataType.Int8,
        _ => throw new InvalidOperationException($"Unsupported initializer element type {data.GetType()}."),
    };
}
