using System.Globalization;
using System.Text.Json;
using ScottPlot;

namespace Lahja.Cli.Commands;

/// <summary>Draws the loss and dev-metric curves of a training run from its metrics.jsonl.</summary>
internal static class TrainingCurves
{
    /// <summary>Writes <c>loss.png</c> (and <c>dev_metric.png</c> when there were evaluations) beside metrics.jsonl.</summary>
    public static IReadOnlyList<string> Write(string outputDirectory)
    {
        var log = Path.Combine(outputDirectory, "metrics.jsonl");
        if (!File.Exists(log)) return [];
        // Keyed by step: a log from before resumed runs truncated it may hold a step twice; the last record wins.
        var steps = new SortedDictionary<double, double>();
        var evaluations = new SortedDictionary<double, double>();
        var metricName = "macro F1";
        foreach (var line in File.ReadLines(log))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            var step = e.GetProperty("step").GetDouble();
            if (e.GetProperty("kind").GetString() == "step") steps[step] = e.GetProperty("loss").GetDouble();
            else
            {
                evaluations[step] = e.GetProperty("metric").GetDouble();
                if (e.TryGetProperty("metric_name", out var name) && name.GetString() is { } n) metricName = n;
            }
        }
        var written = new List<string>();
        if (steps.Count > 0) Save(LossPlot(steps.Select(p => (p.Key, p.Value)).ToArray()), "loss.png");
        if (evaluations.Count > 0) Save(DevPlot(evaluations.Select(p => (p.Key, p.Value)).ToArray(), metricName), "dev_metric.png");
        return written;

        void Save(Plot plot, string name)
        {
            var bytes = plot.GetImageBytes(900, 540, ImageFormat.Png);
            AtomicFile.Write(Path.Combine(outputDirectory, name), s => s.Write(bytes));
            written.Add(name);
        }
    }

    /// <summary>The batch loss per step, and its running mean over 1/50 of the run when that spans more than one step.</summary>
    internal static Plot LossPlot(IReadOnlyList<(double Step, double Loss)> steps)
    {
        var plot = new Plot();
        var x = steps.Select(s => s.Step).ToArray();
        plot.Add.Scatter(x, steps.Select(s => s.Loss).ToArray()).LegendText = "batch loss";
        var window = steps.Count / 50;
        // A mean of one step is the batch loss itself: drawn, it would repeat the same curve.
        if (window > 1)
        {
            var smoothed = steps.Select((s, i) => steps.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Average(p => p.Loss)).ToArray();
            plot.Add.Scatter(x, smoothed).LegendText = $"mean of {window} steps";
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title("Training loss (BCE with logits)");
        plot.XLabel("optimiser step");
        plot.YLabel("loss");
        return plot;
    }

    /// <summary>The dev metric (official scorer, 0–100) after each epoch or stage, on a 0–100 axis, with the best marked.</summary>
    internal static Plot DevPlot(IReadOnlyList<(double Step, double Metric)> evaluations, string metricName)
    {
        var plot = new Plot();
        var curve = plot.Add.Scatter(evaluations.Select(e => e.Step).ToArray(), evaluations.Select(e => e.Metric).ToArray());
        curve.LegendText = $"dev {metricName}";
        curve.MarkerSize = 7;
        var best = evaluations.MaxBy(e => e.Metric);
        var marker = plot.Add.Marker(best.Step, best.Metric, MarkerShape.FilledDiamond, 14);
        marker.LegendText = string.Create(CultureInfo.InvariantCulture, $"best {best.Metric:0.00} % at step {best.Step} (kept in best/)");
        marker.Color = Colors.Black;
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.SetLimits(0, Math.Max(1, evaluations.Max(e => e.Step)) * 1.05, 0, 100);
        plot.Title($"Dev {metricName} after each epoch or stage");
        plot.XLabel("optimiser step");
        plot.YLabel($"dev {metricName} (%, 0–100)");
        return plot;
    }
}
