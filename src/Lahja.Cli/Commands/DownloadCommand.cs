using System.CommandLine;
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

    /// <summary>One line per file when it completes, and every few seconds for large ones.</summary>
    internal sealed class DownloadReporter(TextWriter error) : IProgress<DownloadProgress>
    {
        private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
        private readonly Lock _gate = new();
        private TimeSpan _last;
        private string? _file;

        public void Report(DownloadProgress value)
        {
            lock (_gate)
            {
                var complete = value.Total is { } total && value.Bytes >= total;
                if (!complete && value.File == _file && _watch.Elapsed - _last < TimeSpan.FromSeconds(2)) return;
                _file = value.File;
                _last = _watch.Elapsed;
                var percent = value.Total is > 0 ? $" {100.0 * value.Bytes / value.Total.Value:0.0}%" : "";
                error.WriteLine($"lahja: {HubText.Show(value.File)}: {value.Bytes / 1e6:0.0} MB{(value.Total is { } t ? $" of {t / 1e6:0.0} MB" : "")}{percent}");
            }
        }

        public void Finish() => error.WriteLine($"lahja: done in {_watch.Elapsed.TotalSeconds:0.0} s");
    }
}
