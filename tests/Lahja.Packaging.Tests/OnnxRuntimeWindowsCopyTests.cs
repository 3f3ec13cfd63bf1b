namespace Lahja.Packaging.Tests;

/// <summary>
/// Microsoft.ML.OnnxRuntime's build props add its Windows DLL to the root of any x64 or arm64 output, a Linux or macOS
/// one included; build/Packaging.targets (imported by Directory.Build.targets) leaves it out. A program referencing
/// the package directly, built for linux-arm64, with and without those targets.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class OnnxRuntimeWindowsCopyTests(PackedLahja packed)
{
    [Fact]
    public void A_linux_output_gets_the_windows_dll_only_without_the_repository_targets()
    {
        var project = Path.Combine(packed.Work, "onnxruntime-copy");
        Directory.CreateDirectory(project);
        var version = PackedLahja.OnnxRuntimeVersion;
        var targets = Path.Combine(PackedLahja.RepositoryRoot, "build", "Packaging.targets");
        File.WriteAllText(Path.Combine(project, "Probe.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RuntimeIdentifier>linux-arm64</RuntimeIdentifier>
                <SelfContained>false</SelfContained>
                <UseAppHost>false</UseAppHost>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="{version}" />
              </ItemGroup>
              <Import Project="{targets}" Condition="'$(WithLahjaTargets)' == 'true'" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), "return 0;\n");
        packed.WriteNuGetConfig(Path.Combine(project, "nuget.config"), fallback: true);
        var environment = packed.UserEnvironment(Path.Combine(packed.Work, "onnxruntime-copy-packages"));

        string[] Build(bool withTargets)
        {
            var output = Path.Combine(project, withTargets ? "with" : "without");
            var result = Processes.Run("dotnet", ["build", "-o", output, $"-p:WithLahjaTargets={withTargets}", "-nodeReuse:false"], project, environment);
            Assert.True(result.ExitCode == 0, result.ToString());
            return Directory.GetFiles(output).Select(Path.GetFileName).ToArray()!;
        }

        var without = Build(withTargets: false);
        Assert.Contains("libonnxruntime.so", without);
        Assert.Contains("onnxruntime.dll", without);
        var with = Build(withTargets: true);
        Assert.Contains("libonnxruntime.so", with);
        Assert.DoesNotContain("onnxruntime.dll", with);
        Assert.DoesNotContain("onnxruntime_providers_shared.dll", with);
    }
}
