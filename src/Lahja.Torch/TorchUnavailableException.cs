namespace Lahja.Torch;

/// <summary>TorchSharp's native library (libtorch) cannot be loaded: the message says what to install.</summary>
public sealed class TorchUnavailableException : InvalidOperationException
{
    /// <summary>What to install; also for callers that find the torch engine's assemblies missing altogether.</summary>
    public const string InstallHint =
        "Training and --engine torch need libtorch: add the libtorch-cpu-linux-x64 package (libtorch-cpu-win-x64 or " +
        "libtorch-cpu-osx-arm64 on those systems) beside Lahja.Torch. Inference needs no libtorch: use the ONNX engine (--engine onnx or auto).";

    /// <summary>libtorch failed to load with <paramref name="cause"/>.</summary>
    public TorchUnavailableException(Exception cause)
        : base("libtorch (TorchSharp's native library) could not be loaded. " + InstallHint + " If runtimes/<platform>/native/ does hold " +
               "the libtorch libraries, on Linux the usual cause is a system libstdc++ older than GCC 13 (it lacks GLIBCXX_3.4.32): build " +
               "through MSBuild so build/TorchSharpGlibcxxFix.targets patches libLibTorchSharp.so in the output folder. Original error: " +
               (cause.InnerException ?? cause).Message.Split('\n')[0], cause)
    {
    }
}
