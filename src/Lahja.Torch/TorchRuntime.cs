using static TorchSharp.torch;

namespace Lahja.Torch;

/// <summary>Initialises libtorch once, turning TorchSharp's misleading load failure into an actionable message.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> Initialization = new(() =>
    {
        // TorchSharp prints its load failure on standard output, where it would corrupt a command's results (JSON
        // lines, TSV): hold it back during the one probe; the exception carries the same text.
        var output = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            using var probe = zeros(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            return e;
        }
        finally
        {
            Console.SetOut(output);
        }
    });

    /// <summary>Loads libtorch, or throws an error that says what to install.</summary>
    /// <exception cref="TorchUnavailableException">libtorch cannot be loaded.</exception>
    public static void EnsureInitialized()
    {
        if (Initialization.Value is { } failure) throw new TorchUnavailableException(failure);
    }

    /// <summary>
    /// The device to run on: <paramref name="requested"/>, else <c>$LAHJA_DEVICE</c>, else <c>auto</c> (CUDA when
    /// libtorch has it and a GPU is present, otherwise the CPU). <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> are explicit.
    /// </summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for and is not available.</exception>
    public static Device ResolveDevice(string? requested = null)
    {
        EnsureInitialized();
        var name = (requested ?? Environment.GetEnvironmentVariable("LAHJA_DEVICE") ?? "auto").Trim().ToLowerInvariant();
        if (name is "auto" or "") return cuda.is_available() ? CUDA : CPU;
        if (name == "cpu") return CPU;
        if (name.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidOperationException($"device '{name}' was asked for, but libtorch has no usable CUDA here (this build references libtorch-cpu; a CUDA build needs the libtorch-cuda package and a GPU).");
            return new Device(name);
        }
        throw new ArgumentException($"unknown device '{name}': expected auto, cpu, cuda or cuda:N.");
    }

    /// <summary>Sets libtorch's intra-op thread count (process-wide).</summary>
    public static void SetThreads(int threads)
    {
        EnsureInitialized();
        set_num_threads(threads);
    }
}
