using TorchSharp;
using static TorchSharp.torch;

namespace Lahja.Torch.Tests;

public sealed class DeviceTests
{
    [Fact]
    public void Devices_resolve_to_cuda_only_where_libtorch_has_it()
    {
        Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice("cpu").type);
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, TorchRuntime.ResolveDevice("auto").type);
        if (cuda.is_available()) Assert.Equal(DeviceType.CUDA, TorchRuntime.ResolveDevice("cuda:0").type);
        else Assert.Contains("no usable CUDA", Assert.Throws<InvalidOperationException>(() => TorchRuntime.ResolveDevice("cuda")).Message);
        Assert.Contains("expected auto, cpu, cuda", Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice("tpu")).Message);
    }
}
