using System.CommandLine;
using Lahja.Cli.Commands.Shared;
using Lahja.Text;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja preprocess [--preset b2bert|none] [TEXT...]</c>.</summary>
internal static class PreprocessCommand
{
    public static Command Create(CliIO io)
    {
        var preset = CommonOptions.Preset(name: "--preset");
        var texts = new Argument<string[]>("text") { Arity = ArgumentArity.ZeroOrMore, Description = "Texts to preprocess; without any, one text per line is read from standard input." };
        var command = new Command("preprocess", "Apply a preprocessing preset: one output line per input line, order kept (empty line in, empty line out).") { preset, texts };
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var preprocessor = TextPreprocessor.FromPreset(parse.GetValue(preset)!);
            foreach (var text in InputTexts.FromArgumentsOrStandardInput(parse.GetValue(texts), io))
                io.Out.WriteLine(InputTexts.OneLine(preprocessor.Process(text)));
            return 0;
        }));
        return command;
    }
}
