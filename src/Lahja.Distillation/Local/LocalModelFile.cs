namespace Lahja.Distillation.Local;

/// <summary>
/// The binary weights file of a saved local teacher (<c>local-teacher.bin</c>): the magic "LJLT", the feature and label
/// counts, the feature keys and IDF, then per dialect its bias, Platt a and b, and weights; little-endian.
/// </summary>
internal static class LocalModelFile
{
    public const string FileName = "local-teacher.bin";
    private const uint Magic = 0x4C4A4C54; // "LJLT"

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, LocalModel model)
    {
        var (keys, idf) = model.Featurizer.Export();
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(keys.Length);
            writer.Write(model.Weights.Length);
            foreach (var k in keys) writer.Write(k);
            foreach (var v in idf) writer.Write(v);
            for (var d = 0; d < model.Weights.Length; d++)
            {
                writer.Write(model.Biases[d]);
                writer.Write(model.Calibration[d].A);
                writer.Write(model.Calibration[d].B);
                foreach (var v in model.Weights[d]) writer.Write(v);
            }
        });
    }

    /// <summary>Reads the model at <paramref name="path"/> and checks it against its <paramref name="settings"/> (labels, hash).</summary>
    /// <exception cref="InvalidDataException">Not such a file, truncated, or not the weights the settings name.</exception>
    public static LocalModel Read(string path, LocalTeacherSettings settings)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadUInt32() != Magic) throw new InvalidDataException($"{path}: not a Lahja local-teacher file.");
            var features = reader.ReadInt32();
            var labels = reader.ReadInt32();
            if (labels != Dialects.Count || settings.Labels.Length != Dialects.Count) throw new InvalidDataException($"{path}: {labels} labels, expected {Dialects.Count}.");
            var keys = new ulong[features];
            for (var i = 0; i < features; i++) keys[i] = reader.ReadUInt64();
            var idf = new float[features];
            for (var i = 0; i < features; i++) idf[i] = reader.ReadSingle();
            var weights = new float[labels][];
            var biases = new float[labels];
            var calibration = new (float, float)[labels];
            for (var d = 0; d < labels; d++)
            {
                biases[d] = reader.ReadSingle();
                calibration[d] = (reader.ReadSingle(), reader.ReadSingle());
                weights[d] = new float[features];
                for (var i = 0; i < features; i++) weights[d][i] = reader.ReadSingle();
            }
            var model = new LocalModel(NgramFeaturizer.Import(keys, idf), weights, biases, calibration);
            if (model.Hash != settings.Hash)
                throw new InvalidDataException($"{path}: the weights do not match {LocalTeacherSettings.FileName} (hash {model.Hash}, expected {settings.Hash}).");
            return model;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: truncated.");
        }
    }
}
