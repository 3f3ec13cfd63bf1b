using System.CommandLine;
using Lahja.Cli.Commands;
using Lahja.Cli.Commands.Shared;
using Lahja.Onnx;

namespace Lahja.Cli.Tests;

/// <summary>Commands bind their settings, then call the library: the binding and the run are each testable alone.</summary>
public sealed class CommandBindingTests : IDisposable
{
    private static readonly string Model = Path.Combine(CliRunner.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");
    private readonly string _work = Directory.CreateTempSubdirectory("lahja-cli-binding-").FullName;

    public void Dispose() => Directory.Delete(_work, true);

    [Fact]
    public void Identifier_settings_a_command_lacks_keep_the_librarys_defaults_and_the_ones_it_has_are_read()
    {
        var settings = new IdentifierSettings { BatchSize = CommonOptions.BatchSize(), Threshold = CommonOptions.Threshold() };
        var command = new Command("x");
        settings.AddTo(command);

        Assert.Equal(new DialectIdentifierOptions(), settings.Bind(command.Parse([])));
        var bound = settings.Bind(command.Parse(["--batch-size", "7", "--threshold", "0.25"]));
        Assert.Equal(new DialectIdentifierOptions { BatchSize = 7, Threshold = 0.25f }, bound);
        Assert.Equal(["--threshold", "--batch-size"], command.Options.Select(o => o.Name));
    }

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    [InlineData("jsonl")]
    [InlineData("tsv")]
    [InlineData("nadi")]
    public void Predict_run_without_parsing_writes_what_the_command_line_writes(string format)
    {
        var input = Path.Combine(_work, "texts.txt");
        File.WriteAllLines(input, ["شلونك حبيبي", "", "شو عم تعمل هلق", "hello", "ازيك يا باشا"]);
        var (code, expected, _) = CliRunner.Run("", "predict", "-m", Model, "-i", input, "-f", format, "--engine", "onnx", "--batch-size", "2");
        Assert.Equal(0, code);

        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var result = PredictCommand.Execute(new PredictRequest
        {
            Model = Model,
            Input = new FileInfo(input),
            Format = Enum.Parse<PredictionFormat>(format, ignoreCase: true),
            Options = new DialectIdentifierOptions { BatchSize = 2, Engine = new OnnxEngineFactory() },
        }, new CliIO(new StringReader(""), output, error));

        Assert.Equal(0, result);
        Assert.Equal(expected, output.ToString());
    }

    [Fact]
    public void Predict_refuses_contradictions_before_loading_anything()
    {
        var io = new CliIO(new StringReader(""), new StringWriter(), new StringWriter());
        var missingModel = Path.Combine(_work, "no-model");
        Assert.Throws<UsageException>(() => PredictCommand.Execute(new PredictRequest { Model = missingModel, Column = "text" }, io));
        Assert.Throws<UsageException>(() => PredictCommand.Execute(new PredictRequest { Model = missingModel, Texts = ["x"], Input = new FileInfo("a.txt") }, io));
        Assert.Throws<UsageException>(() => PredictCommand.Execute(new PredictRequest
        {
            Model = missingModel, Input = new FileInfo("a.txt"), Shard = new Shard(0, 2), Format = PredictionFormat.Table,
        }, io));
    }
}
