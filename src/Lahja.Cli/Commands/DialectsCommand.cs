using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja dialects [--json]</c>: the label table.</summary>
internal static class DialectsCommand
{
    public static Command Create(CliIO io)
    {
        var json = new Option<bool>("--json") { Description = "Print the table as JSON." };
        var command = new Command("dialects", "List the 18 dialects in the model's output order, with names, ISO codes and regions.") { json };
        command.SetAction(parse =>
        {
            if (parse.GetValue(json))
            {
                var rows = Dialects.Table.Select(d => new { index = d.Index, label = d.Label, english = d.EnglishName, arabic = d.ArabicName, iso = d.IsoCode, region = d.Region.EnglishName() });
                io.Out.WriteLine(JsonSerializer.Serialize(rows, CliApp.Json));
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("#", "Label", "English", "Arabic", "ISO", "Region");
            foreach (var d in Dialects.Table)
                table.AddRow(d.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Label, d.EnglishName, d.ArabicName, d.IsoCode, d.Region.EnglishName());
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(io.Out) });
            console.Write(table);
            return 0;
        });
        return command;
    }
}
