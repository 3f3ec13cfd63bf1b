namespace Lahja.Torch.Training;

/// <summary>The held-out texts' masked-language-model scores after one epoch.</summary>
/// <param name="Epoch">Epochs done (1-based).</param>
/// <param name="Step">Optimiser steps done.</param>
/// <param name="Loss">Mean cross-entropy over the held-out masked tokens (the same masks after every epoch).</param>
/// <param name="Accuracy">Share of those tokens whose original id ranks first, 0–1.</param>
/// <param name="MaskedTokens">How many tokens were scored.</param>
public readonly record struct PretrainingEvaluation(int Epoch, int Step, double Loss, double Accuracy, int MaskedTokens);
