using System.Security.Cryptography;

namespace Lahja.Distillation.Local;

/// <summary>The local teacher's final model: featurizer, one weight vector and bias per dialect, and the Platt calibration.</summary>
internal sealed class LocalModel(NgramFeaturizer featurizer, float[][] weights, float[] biases, (float A, float B)[] calibration)
{
    public NgramFeaturizer Featurizer { get; } = featurizer;

    public float[][] Weights { get; } = weights;

    public float[] Biases { get; } = biases;

    public (float A, float B)[] Calibration { get; } = calibration;

    /// <summary>The first 12 hex digits of the SHA-256 of the weights and biases: names the model in the teacher's version.</summary>
    public string Hash { get; } = ComputeHash(weights, biases);

    public float[] Probabilities(SparseVector x) => Platt.Calibrate(Scores(Weights, Biases, x), Calibration);

    /// <summary>The raw one-versus-rest scores (bias + w·x) of one row.</summary>
    public static float[] Scores(float[][] weights, float[] biases, SparseVector x)
    {
        var scores = new float[weights.Length];
        for (var d = 0; d < weights.Length; d++)
        {
            var w = weights[d];
            var s = biases[d];
            for (var k = 0; k < x.Indices.Length; k++) s += w[x.Indices[k]] * x.Values[k];
            scores[d] = s;
        }
        return scores;
    }

    private static string ComputeHash(float[][] weights, float[] biases)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var w in weights.Append(biases))
        {
            var bytes = new byte[w.Length * 4];
            Buffer.BlockCopy(w, 0, bytes, 0, bytes.Length);
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }
}
