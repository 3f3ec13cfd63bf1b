using System.CommandLine;
using Lahja.Server;
using Lahja.Text;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja serve [--model M] [--urls URL]</c>: the HTTP API.</summary>
internal static class ServeCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Checkpoint directory or Hub id (default: $LAHJA_MODEL, then the bundled model)." };
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on.", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var threshold = new Option<float?>("--threshold") { Description = "Default threshold (else the model's lahja.json, else 0.3)." };
        var preprocess = PreprocessCommand.PresetOption("--preprocess", TextPreprocessor.B2BertPresetName, "Preprocessing preset.");
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => 32 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for the model." };
        var maxTexts = new Option<int>("--max-texts") { Description = "Most texts per request.", DefaultValueFactory = _ => 256 };
        var maxChars = new Option<int>("--max-chars") { Description = "Most characters per text.", DefaultValueFactory = _ => 5000 };
        var command = new Command("serve", "Serve the JSON API (POST /v1/identify, GET /v1/dialects, /v1/model, /healthz, /readyz).")
        {
            model, urls, threshold, preprocess, batchSize, threads, maxTexts, maxChars,
        };
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var app = LahjaServer.Build(new ServerOptions
            {
                Model = parse.GetValue(model),
                Urls = parse.GetValue(urls)!,
                MaxTextsPerRequest = parse.GetValue(maxTexts),
                MaxCharactersPerText = parse.GetValue(maxChars),
                Identifier = new DialectIdentifierOptions
                {
                    Threshold = parse.GetValue(threshold), Preprocessing = parse.GetValue(preprocess)!,
                    BatchSize = parse.GetValue(batchSize), Threads = parse.GetValue(threads),
                },
            });
            io.Error.WriteLine($"lahja: serving on {parse.GetValue(urls)} (Ctrl+C stops after in-flight requests)");
            app.Run();
            return 0;
        }));
        return command;
    }
}
