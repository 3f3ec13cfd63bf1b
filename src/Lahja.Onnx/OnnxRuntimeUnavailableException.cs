namespace Lahja.Onnx;

/// <summary>ONNX Runtime's native library could not be loaded; the message says what to install.</summary>
public sealed class OnnxRuntimeUnavailableException(Exception inner) : InvalidOperationException(
    $"ONNX Runtime's native library (onnxruntime) could not be loaded ({inner.GetBaseException().Message}). " +
    "Install the Microsoft.ML.OnnxRuntime package for this platform (linux-x64, win-x64, osx-arm64), or use --engine torch.", inner);
