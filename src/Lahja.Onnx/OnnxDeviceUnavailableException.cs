namespace Lahja.Onnx;

/// <summary>The chosen device cannot be used by this ONNX Runtime build or machine; the message says what to install.</summary>
public sealed class OnnxDeviceUnavailableException(OnnxDevice device, Exception inner) : InvalidOperationException(
    $"--device {device.ToString().ToLowerInvariant()}: ONNX Runtime's CUDA execution provider is not available here ({inner.GetBaseException().Message.Trim()}). " +
    "It needs the Microsoft.ML.OnnxRuntime.Gpu.Linux package instead of Microsoft.ML.OnnxRuntime (build Lahja with -p:LahjaOnnxGpu=true), " +
    "CUDA 12 and cuDNN 9, and an NVIDIA GPU; or use --device cpu.", inner)
{
    /// <summary>The device asked for.</summary>
    public OnnxDevice Device { get; } = device;
}
