using Lahja.Torch;

namespace Lahja.Torch.Tests;

/// <summary>Loads models for this project's tests on this project's engine (TorchSharp): the core names no engine, the caller passes one.</summary>
internal static class TestModels
{
    public static DialectIdentifier Load(string model, DialectIdentifierOptions? options = null) =>
        DialectIdentifier.Load(model, (options ?? new()) with { Engine = options?.Engine ?? new TorchEngineFactory() });
}
