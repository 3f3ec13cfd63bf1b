using Lahja.Data;

namespace Lahja.Torch.Training;

/// <summary>
/// Training examples read from labelled files of any format the project reads: multi-label rows keep their labels,
/// single-label rows become one-hot targets, and with <see cref="TrainingDataOptions.SoftTargets"/> the teachers'
/// probabilities become the targets.
/// </summary>
public sealed class TrainingData
{
    private TrainingData(IReadOnlyList<TrainingExample> examples, IReadOnlyList<TrainingFile> files, int duplicatesDropped)
    {
        Examples = examples;
        Files = files;
        DuplicatesDropped = duplicatesDropped;
    }

    /// <summary>The examples, in file and row order.</summary>
    public IReadOnlyList<TrainingExample> Examples { get; }

    /// <summary>What each file gave, in the order read.</summary>
    public IReadOnlyList<TrainingFile> Files { get; }

    /// <summary>Examples dropped because their text repeated an earlier one (<see cref="TrainingDataOptions.Dedupe"/>).</summary>
    public int DuplicatesDropped { get; }

    /// <summary>Reads <paramref name="paths"/> in order; <paramref name="fileRead"/> hears of each file as soon as it is read.</summary>
    /// <exception cref="InvalidDataException">A malformed file (see <see cref="LabeledDataset.Read"/>), or one without soft targets when they are asked for.</exception>
    public static TrainingData Read(IEnumerable<string> paths, TrainingDataOptions? options = null, IProgress<TrainingFile>? fileRead = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        options ??= new TrainingDataOptions();
        var examples = new List<TrainingExample>();
        var files = new List<TrainingFile>();
        foreach (var path in paths)
        {
            var data = LabeledDataset.Read(path, options.NadiTrainDirectory, options.SkipBadRows);
            var before = examples.Count;
            examples.AddRange(FromDataset(data, options.SoftTargets));
            var file = new TrainingFile(path, data.Format, examples.Count - before, data.BadRows, data.SkippedOutOfSet);
            files.Add(file);
            fileRead?.Report(file);
        }
        var dropped = 0;
        if (options.Dedupe)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var kept = examples.Where(x => seen.Add(x.Text)).ToList();
            dropped = examples.Count - kept.Count;
            examples = kept;
        }
        return new TrainingData(examples, files, dropped);
    }

    /// <summary>The examples of one data set: its multi-label rows as they are, its single-label rows one-hot.</summary>
    /// <param name="data">The data set.</param>
    /// <param name="softTargets">Take the targets from its <c>p_&lt;dialect&gt;</c> columns.</param>
    /// <exception cref="InvalidDataException"><paramref name="softTargets"/>, and the data set has no probabilities.</exception>
    public static IEnumerable<TrainingExample> FromDataset(LabeledDataset data, bool softTargets = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (softTargets && data.Probabilities is null)
            throw new InvalidDataException($"{data.Source}: --soft-targets needs p_<dialect> columns for all 18 dialects.");
        return Rows();

        IEnumerable<TrainingExample> Rows()
        {
            for (var i = 0; i < data.Texts.Count; i++)
            {
                var labels = data.MultiLabel is { } multi
                    ? multi[i].Select(x => x == true).ToArray()
                    : Dialects.All.Select(d => d == data.SingleLabel![i]).ToArray();
                yield return new TrainingExample(data.Texts[i], labels, softTargets ? data.Probabilities![i] : null);
            }
        }
    }
}
