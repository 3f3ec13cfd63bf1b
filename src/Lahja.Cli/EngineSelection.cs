using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lahja.Cli.Commands;
using Lahja.Cli.Commands.Shared;
using Lahja.Onnx;
using Lahja.Torch;

namespace Lahja.Cli;

/// <summary>
/// <c>--engine auto|onnx|torch</c> and <c>--precision fp32|int8</c> of the commands that run a model, and the engine
/// factory they choose: the place where the CLI plugs engines into <see cref="DialectIdentifier"/>.
/// </summary>
internal static class EngineSelection
{
    /// <summary>Environment variable that sets the default engine.</summary>
    public const string EngineVariable = "LAHJA_ENGINE";

    /// <summary>
    /// Runtime switch (runtimeconfig.json) of a build without the torch engine, such as the lahja .NET tool: train and
    /// <c>--engine torch</c> then say how to get it, and <c>--engine auto</c> is ONNX Runtime alone.
    /// </summary>
    public const string TorchEngineAbsentSwitch = "Lahja.Cli.TorchEngineAbsent";

    /// <summary>What a build without the torch engine answers to train and <c>--engine torch</c>.</summary>
    public const string TorchEngineAbsentMessage =
        "This lahja (the .NET tool Lahja.Tool) has no torch engine: it runs inference on ONNX Runtime (--engine auto or onnx) and leaves " +
        "TorchSharp and libtorch (600 MB) out. Training and --engine torch need them: clone the Lahja repository and run ./lahja there " +
        "(Linux x64; it builds with libtorch), or reference the Lahja.Torch and libtorch-cpu-linux-x64 packages (libtorch-cpu-win-x64, " +
        "libtorch-cpu-osx-arm64 on those systems) from your own project.";

    private static bool TorchEngineAbsent => AppContext.TryGetSwitch(TorchEngineAbsentSwitch, out var absent) && absent;

    /// <summary>
    /// Runtime setting (runtimeconfig.json) of the lahja tool's portable package, Lahja.Tool.any, which <c>dotnet tool
    /// install</c> takes on the platforms that have no package of their own: the RIDs (separated by ';') for which
    /// Lahja.Tool carries ONNX Runtime's native library. Where it is set and that library does not load, the commands
    /// that run a model stop at once with <see cref="NoOnnxRuntimeMessage"/>.
    /// </summary>
    public const string OnnxRuntimePlatformsSetting = "Lahja.Cli.OnnxRuntimePlatforms";

    /// <summary>What the portable tool answers, on a platform without ONNX Runtime, to a command that runs a model.</summary>
    private static string NoOnnxRuntimeMessage(string platform, IReadOnlyList<string> platforms, string onnxRuntimeVersion) =>
        $"This platform ({platform}) has no native ONNX Runtime in Lahja.Tool, which carries one for {string.Join(", ", platforms)} only: " +
        "dotnet tool install took its portable package (Lahja.Tool.any), which runs here the commands that need no native library " +
        "(preprocess, tokenize, dialects, …) but no model. " +
        $"To run models on {platform}: make ONNX Runtime {onnxRuntimeVersion} or later, built for {platform}, loadable here " +
        "(libonnxruntime.so on LD_LIBRARY_PATH, onnxruntime.dll on PATH, libonnxruntime.dylib on DYLD_LIBRARY_PATH) and lahja uses it; " +
        $"or reference the Lahja and Lahja.Onnx packages from your own project and add ONNX Runtime's native library for {platform} " +
        "(a Microsoft.ML.OnnxRuntime package that has it, or your own build of ONNX Runtime from source).";

    private const string EngineName = "--engine";
    private const string PrecisionName = "--precision";
    private const string DeviceName = "--device";

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public static void AddEngineOptions(this Command command)
    {
        command.Options.Add(new Option<string?>(EngineName)
        {
            Description = $"Inference engine: auto (ONNX Runtime), onnx or torch (TorchSharp). Default: ${EngineVariable}, else auto.",
        }.AcceptOnlyFromAmong("auto", "onnx", "torch"));
        command.Options.Add(new Option<string?>(PrecisionName)
        {
            Description = "fp32, or int8 (dynamic quantization of the encoder; ONNX engine only). Default: the model's lahja.json \"precision\", else fp32.",
        }.AcceptOnlyFromAmong("fp32", "int8"));
        command.Options.Add(new Option<string?>(DeviceName)
        {
            Description = "cpu (default), or cuda: an NVIDIA GPU through ONNX Runtime's CUDA provider (needs the GPU build of ONNX Runtime; ONNX engine only).",
        }.AcceptOnlyFromAmong("cpu", "cuda"));
    }

    /// <summary>The engine factory the parsed options (or <c>$LAHJA_ENGINE</c>) choose.</summary>
    /// <exception cref="UsageException">An unknown engine, or int8 with the torch engine.</exception>
    public static IDialectEngineFactory Factory(ParseResult parse)
    {
        var engine = parse.GetValue<string?>(EngineName);
        if (engine is null)
        {
            engine = Environment.GetEnvironmentVariable(EngineVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim().ToLowerInvariant() : "auto";
            if (engine is not ("auto" or "onnx" or "torch"))
                throw new UsageException($"${EngineVariable} is '{engine}': expected auto, onnx or torch.");
        }
        var precision = parse.GetValue<string?>(PrecisionName);
        var device = parse.GetValue<string?>(DeviceName);
        if (engine == "torch")
        {
            if (precision == "int8") throw new UsageException("--precision int8 needs the ONNX engine (--engine onnx or auto); the torch engine runs fp32 only.");
            if (device == "cuda") throw new UsageException("--device cuda needs the ONNX engine (--engine onnx or auto); this build's torch engine runs on the CPU only.");
            EnsureTorch();
            return TorchEngine();
        }
        EnsureOnnxRuntime();
        // auto is ONNX Runtime, which reads every stored form (pytorch_model.bin too). No --precision: the model's
        // own default (lahja.json), else fp32.
        return new OnnxEngineFactory(precision switch { "int8" => OnnxPrecision.Int8, "fp32" => OnnxPrecision.Fp32, _ => null },
            OnnxEngineFactory.DefaultWeightBits, device == "cuda" ? OnnxDevice.Cuda : OnnxDevice.Cpu);
    }

    /// <summary>
    /// Checks that the torch engine is present and libtorch loads (for <c>--engine torch</c> and <c>train</c>);
    /// else an error that says what to install.
    /// </summary>
    /// <exception cref="InvalidOperationException">Lahja.Torch, TorchSharp or libtorch is missing.</exception>
    public static void EnsureTorch()
    {
        if (TorchEngineAbsent) throw new InvalidOperationException(TorchEngineAbsentMessage);
        try
        {
            LoadTorch();
        }
        catch (FileNotFoundException e) when (e.FileName is { } name && (name.StartsWith("Lahja.Torch", StringComparison.Ordinal) || name.StartsWith("TorchSharp", StringComparison.Ordinal)))
        {
            // A build of the CLI without the torch engine (inference only): the managed assemblies are absent.
            throw new InvalidOperationException($"The torch engine is not part of this build ({name.Split(',')[0]} is missing): add the Lahja.Torch package. " +
                                                TorchUnavailableException.InstallHint, e);
        }
    }

    /// <summary>
    /// In the portable tool (<see cref="OnnxRuntimePlatformsSetting"/>), checks that ONNX Runtime's native library loads
    /// as ONNX Runtime's own calls will load it (the app's native folders, then the system's search path), before any
    /// input is read or model fetched; elsewhere a missing library is reported when the model loads.
    /// </summary>
    /// <exception cref="InvalidOperationException">It does not load: <see cref="NoOnnxRuntimeMessage"/>.</exception>
    private static void EnsureOnnxRuntime()
    {
        if (AppContext.GetData(OnnxRuntimePlatformsSetting) is not string platforms) return;
        var onnxRuntime = typeof(Microsoft.ML.OnnxRuntime.SessionOptions).Assembly;
        if (NativeLibrary.TryLoad("onnxruntime", onnxRuntime, null, out _)) return;
        throw new InvalidOperationException(NoOnnxRuntimeMessage(RuntimeInformation.RuntimeIdentifier,
            platforms.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), onnxRuntime.GetName().Version?.ToString(3) ?? "(the version Lahja.Onnx was built with)"));
    }

    // Apart, and not inlined: a build without Lahja.Torch fails here, when this is compiled, inside EnsureTorch's catch.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoadTorch() => TorchRuntime.EnsureInitialized();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IDialectEngineFactory TorchEngine() => new TorchEngineFactory();
}
