using System.Diagnostics.Metrics;

namespace Lahja.Server;

/// <summary>
/// The service's metrics: System.Diagnostics.Metrics instruments on the meter <see cref="MeterName"/>, created by the
/// host's <see cref="IMeterFactory"/> (so each server in a process has its own), exported at <c>/metrics</c> by
/// OpenTelemetry's Prometheus exporter, which names them as Prometheus does: a counter <c>lahja.texts</c> is
/// <c>lahja_texts_total</c>, a histogram <c>lahja.identify.duration</c> in seconds is
/// <c>lahja_identify_duration_seconds</c>. The API mapped into another app
/// (<see cref="Microsoft.AspNetCore.Builder.DialectIdentificationEndpointRouteBuilderExtensions.MapDialectIdentification"/>)
/// records on the same meter, from that app's <see cref="IMeterFactory"/>.
/// </summary>
/// <remarks>
/// <para>
/// Why OpenTelemetry's exporter, though its package is a pre-release (1.20.1-beta.1): it is maintained with the .NET
/// metrics API and keeps the instruments' kinds (counters stay counters). prometheus-net 8.2.1's meter adapter, the
/// stable alternative, exported none of these instruments on .NET 10 (only its own
/// <c>prometheus_net_meteradapter_instruments_connected</c>, scrape after scrape), and by design publishes .NET
/// counters as gauges and drops a series left unchanged for 5 minutes. The one visible difference from the earlier
/// hand-written text: a series without labels is written with empty braces, <c>lahja_texts_total{} 7</c>, which
/// Prometheus reads as <c>lahja_texts_total 7</c>.
/// </para>
/// <para>
/// "Batch" meant a forward pass in the first names (<c>lahja_batches_total</c>, <c>lahja_batch_texts_mean</c>, as in
/// <c>--batch-size</c>), while the pool passes are chosen from is <c>--max-pool-texts</c>; the pass metrics now say
/// "pass", and the first names stay, with the same values, for dashboards that use them.
/// </para>
/// </remarks>
internal sealed class ServerMetrics
{
    /// <summary>The meter's name (what <c>dotnet-counters monitor --counters Lahja.Server</c> shows).</summary>
    public const string MeterName = DialectApiOptions.MeterName;

    /// <summary>The latency histogram's bucket bounds, in seconds.</summary>
    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    /// <summary>
    /// The instruments on the meter <paramref name="factory"/> gives (one per factory, so per app). The ones read from the
    /// batcher report nothing until <paramref name="batcher"/> gives one, i.e. until the model is loaded.
    /// </summary>
    public ServerMetrics(IMeterFactory factory, Func<MicroBatcher?> batcher)
    {
        var meter = factory.Create(MeterName);
        _requests = meter.CreateCounter<long>("lahja.identify.requests",
            description: "Requests to the prediction routes: POST /v1/identify, TEI's POST /predict and the Inference API's POST /.");
        _duration = meter.CreateHistogram<double>("lahja.identify.duration", "s", "Latency of the prediction routes.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        IEnumerable<Measurement<T>> Read<T>(Func<MicroBatcher, T> read) where T : struct =>
            batcher() is { } b ? [new Measurement<T>(read(b))] : [];
        meter.CreateObservableCounter("lahja.passes", () => Read(b => b.Passes), description: "Forward passes of the model.");
        meter.CreateObservableCounter("lahja.batches", () => Read(b => b.Passes), description: "Forward passes of the model (the first name of lahja_passes_total).");
        meter.CreateObservableCounter("lahja.texts", () => Read(b => b.Texts), description: "Texts predicted.");
        meter.CreateObservableCounter("lahja.model.busy", () => Read(b => b.ModelBusy.TotalSeconds), "s", "Time the model spent on forward passes.");
        meter.CreateObservableGauge("lahja.queue.texts", () => Read(b => b.QueuedTexts), description: "Texts waiting or in a pass.");
        meter.CreateObservableGauge("lahja.texts.per_second", () => Read(b => b.Texts / Math.Max(1e-9, b.Uptime.TotalSeconds)),
            description: "Texts predicted per second since start.");
        meter.CreateObservableGauge("lahja.pass.texts.mean", () => Read(MeanPassTexts), description: "Mean texts per forward pass.");
        meter.CreateObservableGauge("lahja.batch.texts.mean", () => Read(MeanPassTexts),
            description: "Mean texts per forward pass (the first name of lahja_pass_texts_mean).");
    }

    /// <summary>Counts one request to a prediction route that took <paramref name="elapsed"/>.</summary>
    public void Observe(TimeSpan elapsed)
    {
        _requests.Add(1);
        _duration.Record(elapsed.TotalSeconds);
    }

    private static double MeanPassTexts(MicroBatcher batcher)
    {
        var passes = batcher.Passes;
        return passes == 0 ? 0 : (double)batcher.Texts / passes;
    }
}
