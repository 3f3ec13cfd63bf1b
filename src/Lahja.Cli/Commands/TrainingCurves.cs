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
        var steps = new List<(double Step, double Loss)>();
        var evaluations = new List<(double Step, double Metric)>();
        foreach (var line in File.ReadLines(log))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            var step = e.GetProperty("step").GetDouble();
            if (e.GetProperty("kind").GetString() == "step") steps.Add((step, e.GetProperty("loss").GetDouble()));
            else evaluations.Add((step, e.GetProperty("metric").GetDouble()));
        }
        var written = new List<string>();
        if (steps.Count > 0)
        {
            var plot = new Plot();
            plot.Add.Scatter(steps.Select(s => s.Step).ToArray(), steps.Select(s => s.Loss).ToArray()).LegendText = "batch loss";
            var window = Math.Max(1, steps.Count / 50);
            var smoothed = steps.Select((s, i) => steps.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Average(x => x.Loss)).ToArray();
            plot.Add.Scatter(steps.Select(s => s.Step).ToArray(), smoothed).LegendText = $"mean of {window}";
            plot.ShowLegend(Alignment.UpperRight);
            plot.Title("Training loss (BCE with logits)");
            plot.XLabel("optimiser step");
            Save(plot, "loss.png");
        }
        if (evaluations.Count > 0)
        {
            var plot = new Plot();
            plot.Add.Scatter(evaluations.Select(e => e.Step).ToArray(), evaluations.Select(e => e.Metric).ToArray());
            plot.Title("Dev metric after each epoch or stage");
            plot.XLabel("optimiser step");
            plot.YLabel("macro F1");
            Save(plot, "dev_metric.png");
        }
        return written;

        void Save(Plot plot, string name)
        {
            var bytes = plot.GetImageBytes(900, 540, ImageFormat.Png);
            AtomicFile.Write(Path.Combine(outputDirectory, name), s => s.Write(bytes));
            written.Add(name);
        }
    }
}
