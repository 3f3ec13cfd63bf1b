using static TorchSharp.torch;

namespace Lahja.Torch;

/// <summary>Initialises libtorch once, turning TorchSharp's misleading load failure into an actionable message.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> Initialization = new(() =>
    {
        try
        {
            using var probe = zeros(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            return e;
        }
    });

    /// <summary>Loads libtorch, or throws an <see cref="InvalidOperationException"/> that says what to do.</summary>
    public static void EnsureInitialized()
    {
        if (Initialization.Value is { } failure)
            throw new InvalidOperationException(
                "libtorch could not be loaded. TorchSharp says the libtorch package is not referenced, but on Linux the usual cause " +
                "is a system libstdc++ older than GCC 13 (it lacks GLIBCXX_3.4.32): build through MSBuild so " +
                "build/TorchSharpGlibcxxFix.targets patches libLibTorchSharp.so in the output folder, and check that " +
                "runtimes/linux-x64/native/ holds the libtorch libraries. Original error: " + (failure.InnerException ?? failure).Message.Split('\n')[0], failure);
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
