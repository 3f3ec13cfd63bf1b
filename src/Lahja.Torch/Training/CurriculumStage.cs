namespace Lahja.Torch.Training;

/// <summary>One stage (or epoch) of a curriculum: the example indices it trains on, in training order.</summary>
/// <param name="Name">"stage 3" or "epoch 2".</param>
/// <param name="Epochs">Passes over <paramref name="Indices"/>.</param>
/// <param name="Indices">Indices into the example list (repeats allowed: replay with replacement).</param>
public sealed record CurriculumStage(string Name, int Epochs, int[] Indices);
