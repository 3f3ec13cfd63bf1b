using System.CommandLine;
using Lahja.Data;
using Lahja.Text;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja preprocess [--preset b2bert|none] [TEXT...]</c>.</summary>
internal static class PreprocessCommand
{
    public static Command Create(CliIO io)
    {
        var preset = PresetOption("--preset", TextPreprocessor.B2BertPresetName, "Preprocessing preset.");
        var texts = new Argument<string[]>("text") { Arity = ArgumentArity.ZeroOrMore, Description = "Texts to preprocess; without any, one text per line is read from standard input." };
        var command = new Command("preprocess", "Apply a preprocessing preset: one output line per input line, order kept (empty line in, empty line out).") { preset, texts };
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var preprocessor = TextPreprocessor.FromPreset(parse.GetValue(preset)!);
            foreach (var text in Inputs(parse.GetValue(texts), io))
                io.Out.WriteLine(OneLine(preprocessor.Process(text)));
            return 0;
        }));
        return command;
    }

    /// <summary>An option naming a preprocessing preset, validated against the built-in names.</summary>
    internal static Option<string> PresetOption(string name, string defaultValue, string description)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong([.. TextPreprocessor.PresetNames]);
        return option;
    }

    /// <summary>
    /// The command-line texts, or else every line of standard input, streamed with bounded memory: a line longer than
    /// <see cref="TextInput.MaxLineCharacters"/> is cut, with a warning on <see cref="CliIO.Error"/>.
    /// </summary>
    internal static IEnumerable<string> Inputs(string[]? arguments, CliIO io) =>
        arguments is { Length: > 0 } ? arguments : Texts(TextInput.ReadLines(io.In, "standard input"), "standard input", io.Error);

    /// <summary>The texts of <paramref name="lines"/>, saying on <paramref name="error"/> which lines were cut.</summary>
    internal static IEnumerable<string> Texts(IEnumerable<InputText> lines, string source, TextWriter error)
    {
        foreach (var line in lines)
        {
            if (line.Truncated)
                error.WriteLine($"lahja: warning: {source}:{line.Line}: longer than {TextInput.MaxLineCharacters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} characters, cut there (the model reads only its first --max-length tokens).");
            yield return line.Text;
        }
    }

    /// <summary>Keeps the one-line-per-input contract even if a step ever let a line break through.</summary>
    internal static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
