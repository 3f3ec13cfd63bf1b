using System.CommandLine;
using Lahja.Cli.Commands.Shared;
using Lahja.Hub;

namespace Lahja.Cli.Commands;

/// <summary><c>lahja download OWNER/NAME [--revision R]</c>: fetch a model into the Hugging Face cache.</summary>
internal static class DownloadCommand
{
    public static Command Create(CliIO io)
    {
        var repo = new Argument<string>("repository") { Description = "Hub repository id, e.g. AHAAM/B2BERT." };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit.", DefaultValueFactory = _ => "main" };
        var command = new Command("download", "Download a model from the Hugging Face Hub into the cache shared with Python (HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, HF_HUB_ETAG_TIMEOUT, HF_HUB_DOWNLOAD_TIMEOUT).")
        {
            repo, revision,
        };
        command.SetAction(parse => CliApp.Guard(io, () =>
        {
            var id = parse.GetValue(repo)!;
            if (!ModelLocator.IsHubId(id)) throw new UsageException($"{HubText.Show(id)} is not a Hub repository id (OWNER/NAME).");
            using var client = new HubClient();
            var progress = new DownloadReporter(io.Error);
            var snapshot = client.DownloadAsync(id, parse.GetValue(revision)!, progress).GetAwaiter().GetResult();
            progress.Finish();
            io.Out.WriteLine(snapshot);
            return 0;
        }));
        return command;
    }
}
