namespace Lahja.Distillation.Local;

/// <summary>Platt scaling: p = σ(a·s + b) fitted by Newton's method on (score, label) pairs, with Platt's target smoothing.</summary>
internal static class Platt
{
    public static (float A, float B) Fit(float[] scores, bool[] labels)
    {
        double positives = labels.Count(x => x), negatives = labels.Length - positives;
        double hi = (positives + 1) / (positives + 2), lo = 1 / (negatives + 2);
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            for (var i = 0; i < scores.Length; i++)
            {
                var p = 1 / (1 + Math.Exp(-(a * scores[i] + b)));
                var t = labels[i] ? hi : lo;
                var g = p - t;
                var h = Math.Max(p * (1 - p), 1e-12);
                ga += g * scores[i];
                gb += g;
                haa += h * scores[i] * scores[i];
                hab += h * scores[i];
                hbb += h;
            }
            haa += 1e-9;
            hbb += 1e-9;
            var det = haa * hbb - hab * hab;
            if (Math.Abs(det) < 1e-18) break;
            var da = (hbb * ga - hab * gb) / det;
            var db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) < 1e-9 && Math.Abs(db) < 1e-9) break;
        }
        return double.IsFinite(a) && double.IsFinite(b) ? ((float)a, (float)b) : (1f, 0f);
    }

    /// <summary>The calibrated probabilities of one row's scores, σ(a·s + b) per dialect.</summary>
    public static float[] Calibrate(float[] scores, (float A, float B)[] calibration) =>
        scores.Select((s, d) => (float)(1 / (1 + Math.Exp(-(calibration[d].A * s + calibration[d].B))))).ToArray();
}
