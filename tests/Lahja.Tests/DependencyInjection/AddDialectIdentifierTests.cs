using Lahja.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Lahja.Tests.DependencyInjection;

public sealed class AddDialectIdentifierTests
{
    private static string Checkpoint => Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Settings_come_from_configuration_and_one_identifier_is_shared()
    {
        var engine = new RecordingEngine();
        var configuration = Configuration(new()
        {
            ["Lahja:Model"] = Checkpoint,
            ["Lahja:Threshold"] = "0.55",
            ["Lahja:TopK"] = "5",
            ["Lahja:BatchSize"] = "7",
            ["Lahja:Preprocessing"] = "none",
        });
        using var provider = new ServiceCollection()
            .AddDialectIdentifier(configuration.GetSection("Lahja"), settings => settings.Engine = engine)
            .BuildServiceProvider();
        var identifier = provider.GetRequiredService<DialectIdentifier>();
        Assert.Same(identifier, provider.GetRequiredService<DialectIdentifier>());
        Assert.Equal(Path.GetFullPath(Checkpoint), Path.GetFullPath(identifier.ModelDirectory));
        Assert.Equal(0.55f, identifier.Options.Threshold);
        Assert.Equal(5, identifier.Options.TopK);
        Assert.Equal(7, identifier.Options.BatchSize);
        Assert.Equal("none", identifier.Options.Preprocessing);
        Assert.Same(engine, identifier.Options.Engine);

        // Shared across threads: concurrent callers get what one caller alone gets.
        string[] texts = ["شلونك حبيبي", "إزيك يا باشا", "شو عم تعمل هلق", "واش راك"];
        var alone = identifier.Predict(texts).Select(p => p.Probabilities.ToArray()).ToArray();
        Parallel.For(0, 16, i =>
        {
            var text = texts[i % texts.Length];
            Assert.Equal(alone[i % texts.Length], provider.GetRequiredService<DialectIdentifier>().Predict(text).Probabilities);
        });
    }

    [Fact]
    public void Unset_settings_keep_the_identifier_defaults()
    {
        using var provider = new ServiceCollection()
            .AddDialectIdentifier(settings => { settings.Model = Checkpoint; settings.Engine = new RecordingEngine(); })
            .BuildServiceProvider();
        var identifier = provider.GetRequiredService<DialectIdentifier>();
        var options = identifier.Options;
        var defaults = new DialectIdentifierOptions();
        Assert.Equal(defaults.TopK, options.TopK);
        Assert.Equal(defaults.BatchSize, options.BatchSize);
        // No length set: the model's own limit, resolved when it loads.
        Assert.Null(defaults.MaxLength);
        Assert.Equal(DialectIdentifierOptions.DefaultMaxLengthFor(identifier.Config, identifier.Tokenizer.Settings), options.MaxLength);
        Assert.Equal(defaults.Preprocessing, options.Preprocessing);
    }

    [Fact]
    public void Bad_settings_are_reported_when_the_identifier_is_resolved()
    {
        var configuration = Configuration(new() { ["Model"] = Checkpoint, ["TopK"] = "19" });
        using var provider = new ServiceCollection()
            .AddDialectIdentifier(configuration, settings => settings.Engine = new RecordingEngine())
            .BuildServiceProvider();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<DialectIdentifier>());
        Assert.Equal(nameof(DialectIdentifierOptions.TopK), error.ParamName);

        // Without an engine: the message names the package that has one.
        using var withoutEngine = new ServiceCollection().AddDialectIdentifier(Configuration(new() { ["Model"] = Checkpoint })).BuildServiceProvider();
        Assert.Contains("Lahja.Onnx", Assert.Throws<InvalidOperationException>(() => withoutEngine.GetRequiredService<DialectIdentifier>()).Message);

        // A value of the wrong type names its key.
        using var wrongType = new ServiceCollection().AddDialectIdentifier(Configuration(new() { ["Model"] = Checkpoint, ["Threshold"] = "high" })).BuildServiceProvider();
        Assert.Contains("Threshold", Assert.Throws<InvalidOperationException>(() => wrongType.GetRequiredService<DialectIdentifier>()).Message);
    }
}
