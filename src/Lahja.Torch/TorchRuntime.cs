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

    /// <summary>Sets libtorch's intra-op thread count (process-wide).</summary>
    public static void SetThreads(int threads)
    {
        EnsureInitialized();
        set_num_threads(threads);
    }
}
