using Lahja.Hub;

namespace Lahja.Cli.Commands.Shared;

/// <summary>Download progress on standard error: one line per file when it completes, and every few seconds for large ones.</summary>
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
