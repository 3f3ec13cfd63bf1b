using System.Globalization;
using System.Text;

namespace Lahja.Server;

/// <summary>Prometheus metrics of the identify endpoint and the batcher.</summary>
internal sealed class ServerMetrics
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly long[] _counts = new long[Buckets.Length + 1];
    private readonly Lock _gate = new();
    private double _sum;
    private long _total;
    private readonly DateTime _started = DateTime.UtcNow;

    public void Observe(double seconds)
    {
        lock (_gate)
        {
            var i = Array.FindIndex(Buckets, b => seconds <= b);
            _counts[i < 0 ? Buckets.Length : i]++;
            _sum += seconds;
            _total++;
        }
    }

    public string Render(MicroBatcher batcher)
    {
        var text = new StringBuilder();
        void Line(string s) => text.Append(s).Append('\n');
        lock (_gate)
        {
            Line("# HELP lahja_identify_requests_total Requests to POST /v1/identify.");
            Line("# TYPE lahja_identify_requests_total counter");
            Line(FormattableString.Invariant($"lahja_identify_requests_total {_total}"));
            Line("# HELP lahja_identify_duration_seconds Latency of POST /v1/identify.");
            Line("# TYPE lahja_identify_duration_seconds histogram");
            long cumulative = 0;
            for (var i = 0; i < Buckets.Length; i++)
            {
                cumulative += _counts[i];
                Line(FormattableString.Invariant($"lahja_identify_duration_seconds_bucket{{le=\"{Buckets[i]}\"}} {cumulative}"));
            }
            Line(FormattableString.Invariant($"lahja_identify_duration_seconds_bucket{{le=\"+Inf\"}} {_total}"));
            Line(FormattableString.Invariant($"lahja_identify_duration_seconds_sum {_sum.ToString("R", CultureInfo.InvariantCulture)}"));
            Line(FormattableString.Invariant($"lahja_identify_duration_seconds_count {_total}"));
        }
        Line("# HELP lahja_batches_total Forward passes of the model.");
        Line("# TYPE lahja_batches_total counter");
        Line(FormattableString.Invariant($"lahja_batches_total {batcher.Batches}"));
        Line("# TYPE lahja_texts_total counter");
        Line(FormattableString.Invariant($"lahja_texts_total {batcher.Texts}"));
        Line("# HELP lahja_model_busy_seconds_total Time the model spent on batches.");
        Line("# TYPE lahja_model_busy_seconds_total counter");
        Line(FormattableString.Invariant($"lahja_model_busy_seconds_total {batcher.ModelBusy.TotalSeconds.ToString("R", CultureInfo.InvariantCulture)}"));
        Line("# TYPE lahja_queue_texts gauge");
        Line(FormattableString.Invariant($"lahja_queue_texts {batcher.QueuedTexts}"));
        Line("# HELP lahja_texts_per_second Texts predicted per second since start.");
        Line("# TYPE lahja_texts_per_second gauge");
        Line(FormattableString.Invariant($"lahja_texts_per_second {(batcher.Texts / Math.Max(1e-9, (DateTime.UtcNow - _started).TotalSeconds)).ToString("0.###", CultureInfo.InvariantCulture)}"));
        Line("# HELP lahja_batch_texts_mean Mean texts per forward pass.");
        Line("# TYPE lahja_batch_texts_mean gauge");
        Line(FormattableString.Invariant($"lahja_batch_texts_mean {(batcher.Batches == 0 ? 0 : (double)batcher.Texts / batcher.Batches).ToString("0.###", CultureInfo.InvariantCulture)}"));
        return text.ToString();
    }
}
