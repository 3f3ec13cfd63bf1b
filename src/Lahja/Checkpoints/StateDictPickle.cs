using System.Buffers.Binary;
using System.Text;

namespace Lahja.Checkpoints;

/// <summary>
/// Reads the pickle of a <c>torch.save</c>d state dict (<c>data.pkl</c>) without running it: a pickle virtual machine
/// that knows the opcodes of protocols 2–5 and only the globals a state dict needs (<c>collections.OrderedDict</c>,
/// <c>torch._utils._rebuild_tensor_v2</c> and friends, the typed storage classes). Any other global is refused, so a
/// hostile file cannot run code or make this allocate without bound.
/// </summary>
internal sealed class StateDictPickle
{
    /// <summary>A tensor the pickle describes: a view over one storage of the zip archive.</summary>
    internal sealed record TensorView(Storage Storage, long Offset, long[] Shape, long[] Stride);

    /// <summary>A storage: the zip entry <c>data/KEY</c>, its element type and element count.</summary>
    internal sealed record Storage(string Key, TensorDType DType, long ElementCount);

    private sealed record Global(string Module, string Name);

    private sealed class Mark;

    private sealed class PickledDict : Dictionary<object, object?>;

    private const int MaxStackDepth = 1_000_000;
    private const int MaxMemo = 1_000_000;
    private static readonly Mark MarkObject = new();

    private static readonly Dictionary<string, TensorDType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = TensorDType.F32,
        ["HalfStorage"] = TensorDType.F16,
        ["BFloat16Storage"] = TensorDType.BF16,
        ["LongStorage"] = TensorDType.I64,
    };

    private readonly byte[] _data;
    private readonly string _source;
    private int _position;

    private StateDictPickle(byte[] data, string source)
    {
        _data = data;
        _source = source;
    }

    /// <summary>The tensors of the state dict pickled in <paramref name="data"/>, by name, in file order.</summary>
    /// <exception cref="InvalidDataException">The pickle is malformed, is not a state dict, or names a global a state dict does not need.</exception>
    public static List<KeyValuePair<string, TensorView>> Read(byte[] data, string source) => new StateDictPickle(data, source).Run();

    private InvalidDataException Error(string problem) => new($"{_source}: {problem} (at byte {_position} of the pickle).");

    private List<KeyValuePair<string, TensorView>> Run()
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        while (true)
        {
            if (stack.Count > MaxStackDepth) throw Error("the pickle's stack grows without bound");
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: ReadByte(); break; // PROTO
                case 0x95: ReadBytes(8); break; // FRAME: a length hint only
                case (byte)'.': // STOP
                    return Result(Pop(stack));
                case (byte)'(': marks.Push(stack.Count); stack.Add(MarkObject); break;
                case (byte)')': stack.Add(Array.Empty<object?>()); break;
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'K': stack.Add((long)ReadByte()); break;
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
                case 0x8a: stack.Add(ReadLong(ReadByte())); break; // LONG1
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;
                case (byte)'X': stack.Add(ReadText(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break;
                case 0x8c: stack.Add(ReadText(ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: stack.Add(ReadText(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)))); break; // BINUNICODE8
                case (byte)'U': stack.Add(ReadText(ReadByte())); break; // SHORT_BINSTRING (ASCII in state dicts)
                case (byte)'T': stack.Add(ReadText(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // BINSTRING
                case (byte)'C': stack.Add(ReadBytes(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case (byte)'B': stack.Add(ReadBytes(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))).ToArray()); break; // BINBYTES
                case (byte)'}': stack.Add(new PickledDict()); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case 0x85: stack.Add(new[] { Pop(stack) }); break; // TUPLE1
                case 0x86: { var b = Pop(stack); var a = Pop(stack); stack.Add(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(stack); var b = Pop(stack); var a = Pop(stack); stack.Add(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'t': stack.Add(PopToMark(stack, marks).ToArray()); break; // TUPLE
                case (byte)'l': stack.Add(PopToMark(stack, marks)); break; // LIST
                case (byte)'d': // DICT
                {
                    var items = PopToMark(stack, marks);
                    var dict = new PickledDict();
                    SetItems(dict, items);
                    stack.Add(dict);
                    break;
                }
                case (byte)'a': { var item = Pop(stack); AsList(Peek(stack)).Add(item); break; } // APPEND
                case (byte)'e': { var items = PopToMark(stack, marks); AsList(Peek(stack)).AddRange(items); break; } // APPENDS
                case (byte)'s': { var value = Pop(stack); var key = Pop(stack); SetItems(AsDict(Peek(stack)), [key, value]); break; } // SETITEM
                case (byte)'u': { var items = PopToMark(stack, marks); SetItems(AsDict(Peek(stack)), items); break; } // SETITEMS
                case (byte)'q': Remember(memo, ReadByte(), Peek(stack)); break; // BINPUT
                case (byte)'r': Remember(memo, BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)), Peek(stack)); break; // LONG_BINPUT
                case 0x94: Remember(memo, memo.Count, Peek(stack)); break; // MEMOIZE
                case (byte)'h': stack.Add(Recall(memo, ReadByte())); break; // BINGET
                case (byte)'j': stack.Add(Recall(memo, BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                case (byte)'c': stack.Add(CheckGlobal(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: { var name = Pop(stack) as string; var module = Pop(stack) as string; stack.Add(CheckGlobal(module ?? throw Error("STACK_GLOBAL without a module name"), name ?? throw Error("STACK_GLOBAL without a name"))); break; }
                case (byte)'Q': stack.Add(PersistentLoad(Pop(stack))); break; // BINPERSID
                case (byte)'R': { var args = Pop(stack); var callable = Pop(stack); stack.Add(Call(callable, args)); break; } // REDUCE
                case (byte)'b': Pop(stack); break; // BUILD: an OrderedDict's _metadata, or a tensor's state; not needed
                case 0x81: { var args = Pop(stack); var cls = Pop(stack); stack.Add(Call(cls, args)); break; } // NEWOBJ
                case (byte)'0': Pop(stack); break; // POP
                case (byte)'1': PopToMark(stack, marks); break; // POP_MARK
                case (byte)'2': stack.Add(Peek(stack)); break; // DUP
                default:
                    throw Error($"opcode 0x{opcode:x2} does not occur in a state dict's pickle: refused");
            }
        }
    }

    private List<KeyValuePair<string, TensorView>> Result(object? top)
    {
        if (top is not PickledDict dict) throw Error("the pickle does not hold a dict of tensors (a state dict)");
        var result = new List<KeyValuePair<string, TensorView>>();
        foreach (var (key, value) in dict)
        {
            if (key is string name && value is TensorView view) result.Add(new(name, view));
        }
        if (result.Count == 0) throw Error("the state dict holds no tensors");
        return result;
    }

    private object CheckGlobal(string module, string name)
    {
        if (module == "torch" && StorageTypes.ContainsKey(name)) return new Global(module, name);
        if ((module, name) is ("collections", "OrderedDict") or ("torch._utils", "_rebuild_tensor_v2") or ("torch._utils", "_rebuild_tensor")
            or ("torch._utils", "_rebuild_parameter") or ("torch", "Size") or ("builtins", "dict") or ("__builtin__", "dict"))
            return new Global(module, name);
        if (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal))
            throw Error($"tensor storage type torch.{name} is not a floating-point type Lahja reads (F32, F16, BF16)");
        throw Error($"the pickle refers to {module}.{name}, which a state dict does not need: refused (loading it could run code)");
    }

    private object? Call(object? callable, object? argument)
    {
        if (callable is not Global global) throw Error("REDUCE on something that is not an allowed global");
        var args = argument as object?[] ?? throw Error($"{global.Module}.{global.Name} called without a tuple of arguments");
        switch (global.Name)
        {
            case "OrderedDict" or "dict":
                if (args.Length != 0) throw Error($"{global.Module}.{global.Name} called with arguments");
                return new PickledDict();
            case "Size":
                return args.Length == 1 && args[0] is object?[] sizes ? sizes : throw Error("torch.Size with unexpected arguments");
            case "_rebuild_parameter":
                return args.Length >= 1 && args[0] is TensorView parameter ? parameter : throw Error("_rebuild_parameter without a tensor");
            case "_rebuild_tensor" or "_rebuild_tensor_v2":
                if (args.Length < 4 || args[0] is not Storage storage || args[1] is not long offset || args[2] is not object?[] shape || args[3] is not object?[] stride)
                    throw Error($"{global.Name} with unexpected arguments");
                return View(storage, offset, Longs(shape, "size"), Longs(stride, "stride"));
            default:
                throw Error($"{global.Module}.{global.Name} cannot be called");
        }
    }

    private TensorView View(Storage storage, long offset, long[] shape, long[] stride)
    {
        if (shape.Length != stride.Length || shape.Length > 8) throw Error("a tensor's size and stride do not match");
        if (offset < 0 || shape.Any(s => s < 0) || stride.Any(s => s < 0)) throw Error("a tensor with a negative offset, size or stride");
        long count = 1, last = offset;
        foreach (var (size, step) in shape.Zip(stride))
        {
            count = checked(count * size);
            if (size > 0) last = checked(last + (size - 1) * step);
        }
        if (count > 0 && last >= storage.ElementCount)
            throw Error($"a tensor reaches element {last} of storage {storage.Key}, which holds {storage.ElementCount}");
        return new TensorView(storage, offset, shape, stride);
    }

    private long[] Longs(object?[] values, string what) =>
        values.Select(v => v as long? ?? throw Error($"a tensor's {what} holds something other than integers")).ToArray();

    private object PersistentLoad(object? pid)
    {
        // ('storage', torch.FloatStorage, key, location, element count)
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage" || t[1] is not Global type || t[2] is not string key || t[4] is not long count)
            throw Error("a persistent id that is not a tensor storage");
        if (!StorageTypes.TryGetValue(type.Name, out var dtype)) throw Error($"storage type {type.Module}.{type.Name} is not one Lahja reads");
        if (key.Length == 0 || key.Length > 64 || !key.All(char.IsAsciiLetterOrDigit)) throw Error($"storage key {Hub.HubText.Show(key)} is not a plain name");
        if (count < 0) throw Error("a storage with a negative size");
        return new Storage(key, dtype, count);
    }

    private void SetItems(PickledDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Error("SETITEMS with an odd number of items");
        for (var i = 0; i < items.Count; i += 2)
            dict[items[i] ?? throw Error("a dict key that is None")] = items[i + 1];
    }

    private List<object?> AsList(object? value) => value as List<object?> ?? throw Error("APPEND to something that is not a list");

    private PickledDict AsDict(object? value) => value as PickledDict ?? throw Error("SETITEM on something that is not a dict");

    private void Remember(Dictionary<long, object?> memo, long index, object? value)
    {
        if (memo.Count >= MaxMemo && !memo.ContainsKey(index)) throw Error("the pickle's memo grows without bound");
        memo[index] = value;
    }

    private object? Recall(Dictionary<long, object?> memo, long index) =>
        memo.TryGetValue(index, out var value) ? value : throw Error($"memo entry {index} was never stored");

    private object? Pop(List<object?> stack)
    {
        if (stack.Count == 0) throw Error("the pickle pops an empty stack");
        var value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        if (ReferenceEquals(value, MarkObject)) throw Error("the pickle pops a mark");
        return value;
    }

    private object? Peek(List<object?> stack) => stack.Count > 0 && !ReferenceEquals(stack[^1], MarkObject) ? stack[^1] : throw Error("the pickle reads an empty stack");

    private List<object?> PopToMark(List<object?> stack, Stack<int> marks)
    {
        if (marks.Count == 0) throw Error("the pickle closes a mark it never opened");
        var start = marks.Pop();
        if (start >= stack.Count || !ReferenceEquals(stack[start], MarkObject)) throw Error("the pickle's marks are out of order");
        var items = stack.GetRange(start + 1, stack.Count - start - 1);
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private byte ReadByte() => _position < _data.Length ? _data[_position++] : throw Error("the pickle ends before STOP (truncated?)");

    private ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > _data.Length - _position) throw Error("the pickle ends inside a value (truncated?)");
        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private string ReadText(ulong length) => length > (ulong)(_data.Length - _position)
        ? throw Error("the pickle ends inside a string (truncated?)")
        : Encoding.UTF8.GetString(ReadBytes((int)length));

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0 || end - _position > 256) throw Error("a GLOBAL name without its end of line");
        var text = Encoding.ASCII.GetString(_data, _position, end - _position);
        _position = end + 1;
        return text;
    }

    private long ReadLong(int length)
    {
        if (length > 8) throw Error("an integer wider than 64 bits");
        var bytes = ReadBytes(length);
        long value = 0;
        for (var i = length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
        if (length is > 0 and < 8 && (bytes[length - 1] & 0x80) != 0) value -= 1L << (8 * length); // two's complement
        return value;
    }
}
