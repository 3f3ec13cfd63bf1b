using Lahja.Onnx;

namespace Lahja.Cli.Tests;

/// <summary>Loads models for this project's tests on the CLI's default engine (ONNX Runtime, fp32): the core names no engine, the caller passes one.</summary>
internal static class TestModels
{
    public static DialectIdentifier Load(string model, DialectIdentifierOptions? options = null) =>
        DialectIdentifier.Load(model, (options ?? new()) with { Engine = options?.Engine ?? new OnnxEngineFactory() });
}
