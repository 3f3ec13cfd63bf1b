using System.Text.Json;
using Lahja.Checkpoints;
using TorchSharp.Modules;

namespace Lahja.Torch.Training;

/// <summary>
/// The directories a run keeps under its output: <c>checkpoint/</c> (weights, optimiser, config and
/// <see cref="TrainingState"/>: enough to resume) and <c>best/</c> (the weights that scored best on dev). Each is
/// replaced by renames only, so a run killed at any point leaves a complete old or a complete new one.
/// </summary>
internal sealed class TrainingCheckpoints(string output, BertConfig config)
{
    private const string StateFile = "trainer_state.json";
    private const string OptimizerFile = "optimizer.bin";

    /// <summary>The resumable checkpoint.</summary>
    public string CheckpointDirectory { get; } = Path.Combine(output, "checkpoint");

    /// <summary>The best weights on dev (or the last, without dev data).</summary>
    public string BestDirectory { get; } = Path.Combine(output, "best");

    /// <summary>Whether best weights were saved.</summary>
    public bool HasBest => Directory.Exists(BestDirectory);

    /// <summary>Loads the checkpoint's optimiser state into <paramref name="optimizer"/>; false when it has none.</summary>
    public bool TryLoadOptimizer(AdamW optimizer)
    {
        var path = Path.Combine(CheckpointDirectory, OptimizerFile);
        if (!File.Exists(path)) return false;
        optimizer.load_state_dict(path);
        return true;
    }

    /// <summary>Writes the resumable checkpoint.</summary>
    public void Save(BertForSequenceClassification model, AdamW optimizer, TrainingState state)
    {
        var staging = Stage(CheckpointDirectory);
        SafeTensorsFile.Write(Path.Combine(staging, CheckpointFiles.SafeTensors), TorchCheckpoint.Parameters(model));
        optimizer.save_state_dict(Path.Combine(staging, OptimizerFile));
        config.Save(Path.Combine(staging, CheckpointFiles.Config));
        // The state goes last: a checkpoint is complete when its state is there (CompleteState).
        state.Save(Path.Combine(staging, StateFile));
        ReplaceDirectory(staging, CheckpointDirectory);
    }

    /// <summary>Keeps <paramref name="model"/>'s weights as the best.</summary>
    public void SaveBest(BertForSequenceClassification model)
    {
        var staging = Stage(BestDirectory);
        SafeTensorsFile.Write(Path.Combine(staging, CheckpointFiles.SafeTensors), TorchCheckpoint.Parameters(model));
        ReplaceDirectory(staging, BestDirectory);
    }

    /// <summary>
    /// The state to resume from. <see cref="ReplaceDirectory"/> renames checkpoint/ to checkpoint.old/ and then
    /// checkpoint.partial/ to checkpoint/: a run killed between the two leaves no checkpoint/, but a complete
    /// checkpoint.partial/ (newer) or checkpoint.old/. The complete one is moved back into place.
    /// </summary>
    public TrainingState Resume(IProgress<string>? notices)
    {
        var staging = CheckpointDirectory + ".partial";
        var old = CheckpointDirectory + ".old";
        if (Directory.Exists(CheckpointDirectory))
        {
            var state = CompleteState(CheckpointDirectory, out var missing)
                        ?? throw new InvalidDataException($"{CheckpointDirectory} is incomplete ({missing}): remove it to start over without --resume.");
            notices?.Report(FormattableString.Invariant($"resuming from {CheckpointDirectory} at step {state.GlobalStep}"));
            return state;
        }
        foreach (var candidate in new[] { staging, old })
        {
            if (!Directory.Exists(candidate) || CompleteState(candidate, out _) is not { } state) continue;
            Directory.Move(candidate, CheckpointDirectory);
            foreach (var other in new[] { staging, old }) if (Directory.Exists(other)) Directory.Delete(other, true);
            notices?.Report(FormattableString.Invariant(
                $"{CheckpointDirectory} is missing but {Path.GetFileName(candidate)} is complete (a run was stopped while replacing its checkpoint): recovered it, resuming at step {state.GlobalStep}"));
            return state;
        }
        notices?.Report($"--resume: no checkpoint to resume from in {Path.GetDirectoryName(CheckpointDirectory)} (no complete checkpoint/, checkpoint.partial/ or checkpoint.old/): starting over from step 0");
        return new TrainingState();
    }

    /// <summary>The state of a checkpoint directory when every file of it is there and readable (the state is written last), else null.</summary>
    private static TrainingState? CompleteState(string directory, out string missing)
    {
        missing = "";
        foreach (var file in new[] { CheckpointFiles.SafeTensors, OptimizerFile, CheckpointFiles.Config, StateFile })
            if (!File.Exists(Path.Combine(directory, file)))
            {
                missing = $"no {file}";
                return null;
            }
        try
        {
            using (SafeTensorsFile.Open(Path.Combine(directory, CheckpointFiles.SafeTensors))) { }
            var state = TrainingState.Load(Path.Combine(directory, StateFile));
            if (state.Started) return state;
            missing = $"{StateFile} says nothing was trained";
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException)
        {
            missing = e.Message;
        }
        return null;
    }

    /// <summary>An empty <c>.partial</c> directory beside <paramref name="target"/>.</summary>
    private static string Stage(string target)
    {
        var staging = target + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);
        return staging;
    }

    // A directory is replaced by renames only, so a crash leaves either the old complete one or the new complete one.
    internal static void ReplaceDirectory(string staging, string target)
    {
        var old = target + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(target)) Directory.Move(target, old);
        Directory.Move(staging, target);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }
}
