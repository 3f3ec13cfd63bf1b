using System.Text.Json;
using Lahja.Checkpoints;

namespace Lahja.Tests.Checkpoints;

/// <summary>
/// <c>pytorch_model.bin</c> read without PyTorch, against files PyTorch itself writes (Debian's python3-torch): every
/// element type, views that share, offset and transpose a storage, a module's state dict, and files that must be
/// refused (a pickle that would run code, the legacy format, truncation).
/// </summary>
public sealed class PyTorchZipFileTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-ptzip-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    private static bool TorchAvailable { get; } = ReferenceTools.Python is { } python && TryRun(python, "-c", "import torch");

    private static bool TryRun(string program, params string[] arguments)
    {
        try
        {
            ReferenceTools.Run(program, arguments);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Runs <paramref name="script"/> with torch imported and <c>out</c> the work folder; returns its output.</summary>
    private string Python(string script)
    {
        Assert.SkipUnless(TorchAvailable, "Debian's python3-torch is not installed (/usr/bin/python3 -c 'import torch' fails).");
        return ReferenceTools.Run(ReferenceTools.Python!, "-c", "import collections, json, os, sys, torch\nout = sys.argv[1]\n" + script, _work);
    }

    [Fact]
    public void Tensors_equal_what_pytorch_saved()
    {
        var output = Python("""
            torch.manual_seed(0)
            base = torch.randn(6, 5)
            sd = collections.OrderedDict()
            sd["a.f32"] = torch.randn(3, 4)
            sd["b.f16"] = torch.randn(2, 3).half()
            sd["c.bf16"] = torch.randn(5).bfloat16()
            sd["d.transposed"] = base.t()
            sd["e.slice"] = base[2:4]
            sd["f.scalar"] = torch.tensor(1.5)
            sd["g.ids"] = torch.arange(4)
            sd["h.parameter"] = torch.nn.Parameter(torch.randn(2, 2))
            sd["i.column"] = base[:, 3]
            torch.save(sd, os.path.join(out, "views.bin"))
            torch.save(torch.nn.Linear(3, 2).state_dict(), os.path.join(out, "module.bin"))
            module = torch.load(os.path.join(out, "module.bin"))
            expected = {k: v.detach().float().flatten().tolist() for k, v in list(sd.items()) + [("module." + k, v) for k, v in module.items()]}
            shapes = {k: list(v.shape) for k, v in list(sd.items()) + [("module." + k, v) for k, v in module.items()]}
            print(json.dumps({"values": expected, "shapes": shapes}))
            """);
        using var document = JsonDocument.Parse(output);
        var values = document.RootElement.GetProperty("values");
        var shapes = document.RootElement.GetProperty("shapes");
        using var views = PyTorchZipFile.Open(Path.Combine(_work, "views.bin"));
        using var module = PyTorchZipFile.Open(Path.Combine(_work, "module.bin"));
        Assert.Equal(["a.f32", "b.f16", "c.bf16", "d.transposed", "e.slice", "f.scalar", "g.ids", "h.parameter", "i.column"], views.Tensors.Keys);
        Assert.Equal(["weight", "bias"], module.Tensors.Keys);
        foreach (var (source, prefix) in new[] { (views, ""), (module, "module.") })
            foreach (var name in source.Tensors.Keys)
            {
                var info = source.Tensors[name];
                Assert.Equal(shapes.GetProperty(prefix + name).EnumerateArray().Select(e => e.GetInt64()), info.Shape);
                if (info.DType == TensorDType.I64) continue;
                var expected = values.GetProperty(prefix + name).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
                Assert.Equal(expected, source.ReadFloat32(name));
            }
        Assert.Equal(TensorDType.F16, views.Tensors["b.f16"].DType);
        Assert.Equal(TensorDType.BF16, views.Tensors["c.bf16"].DType);
    }

    [Fact]
    public void A_pickle_that_would_run_code_is_refused_and_never_run()
    {
        var marker = Path.Combine(_work, "ran");
        Python($$"""
            class Payload:
                def __reduce__(self):
                    return (os.system, ("touch {{marker}}",))
            torch.save({"w": torch.zeros(2), "x": Payload()}, os.path.join(out, "hostile.bin"))
            """);
        var error = Assert.Throws<InvalidDataException>(() => PyTorchZipFile.Open(Path.Combine(_work, "hostile.bin")));
        Assert.Contains("system", error.Message);
        Assert.Contains("refused", error.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void The_legacy_format_and_damaged_files_are_clear_errors()
    {
        Python("""
            sd = {"w": torch.ones(3)}
            torch.save(sd, os.path.join(out, "legacy.bin"), _use_new_zipfile_serialization=False)
            torch.save(sd, os.path.join(out, "good.bin"))
            """);
        Assert.Contains("legacy format", Assert.Throws<InvalidDataException>(() => PyTorchZipFile.Open(Path.Combine(_work, "legacy.bin"))).Message);
        var good = File.ReadAllBytes(Path.Combine(_work, "good.bin"));
        var truncated = Path.Combine(_work, "truncated.bin");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        Assert.Contains("not a torch.save zip archive", Assert.Throws<InvalidDataException>(() => PyTorchZipFile.Open(truncated)).Message);
        var text = Path.Combine(_work, "text.bin");
        File.WriteAllText(text, "version https://git-lfs.github.com/spec/v1\n");
        Assert.Contains(text, Assert.Throws<InvalidDataException>(() => PyTorchZipFile.Open(text)).Message);
    }
}
