namespace Lahja.Onnx;

/// <summary>Where ONNX Runtime runs the graph.</summary>
public enum OnnxDevice
{
    /// <summary>The CPU (the default execution provider; every ONNX Runtime package).</summary>
    Cpu,

    /// <summary>
    /// An NVIDIA GPU through the CUDA execution provider: needs the <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c> package
    /// (build with <c>-p:LahjaOnnxGpu=true</c>), CUDA 12 with cuDNN 9, and a GPU.
    /// </summary>
    Cuda,
}
