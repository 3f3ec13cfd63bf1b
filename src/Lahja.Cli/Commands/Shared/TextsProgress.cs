namespace Lahja.Cli.Commands.Shared;

/// <summary>
/// Progress of a run over many texts, on standard error: a line every few seconds (stderr is often a log rather than
/// a terminal), with rate and time left.
/// </summary>
internal sealed class TextsProgress(TextWriter error, int total) : IProgress<int>
{
    private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
    private TimeSpan _last = TimeSpan.Zero;
    private readonly Lock _gate = new();

    // Called from several threads (parallel teachers): one line at a time.
    public void Report(int done)
    {
        lock (_gate) ReportLine(done);
    }

    private void ReportLine(int done)
    {
        if (_watch.Elapsed - _last < TimeSpan.FromSeconds(2) && done < total) return;
        _last = _watch.Elapsed;
        var rate = done / Math.Max(_watch.Elapsed.TotalSeconds, 1e-9);
        var remaining = rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - done) / rate) : TimeSpan.Zero;
        error.WriteLine($"lahja: {done:N0}/{total:N0} texts ({100.0 * done / total:0.0}%), {rate:N1} texts/s, about {remaining:hh\\:mm\\:ss} left");
    }

    public void Done() => error.WriteLine($"lahja: {total:N0} texts in {_watch.Elapsed.TotalSeconds:0.0} s");
}
