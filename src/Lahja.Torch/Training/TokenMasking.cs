using Lahja.Text;

namespace Lahja.Torch.Training;

/// <summary>One batch after masking: its ids, and the flat positions chosen for prediction with their original ids.</summary>
internal sealed record MaskedBatch(long[] InputIds, long[] Positions, long[] Labels);

/// <summary>
/// transformers' <c>DataCollatorForLanguageModeling</c>: each token other than [CLS], [SEP] and padding is chosen with
/// the given probability; a chosen token becomes [MASK] 80 % of the time, a random vocabulary id 10 %, and stays 10 %.
/// Draws come from a <see cref="Random"/> the caller seeds, so a run's masks depend only on its seed.
/// </summary>
internal static class TokenMasking
{
    public static MaskedBatch Apply(TokenizedBatch batch, BertTokenizer tokenizer, int maskId, double probability, Random random)
    {
        var ids = (long[])batch.InputIds.Clone();
        var positions = new List<long>();
        var labels = new List<long>();
        for (var i = 0; i < ids.Length; i++)
        {
            var id = ids[i];
            if (batch.AttentionMask[i] == 0 || id == tokenizer.ClsId || id == tokenizer.SepId || id == tokenizer.PadId) continue;
            if (random.NextDouble() >= probability) continue;
            positions.Add(i);
            labels.Add(id);
            var roll = random.NextDouble();
            if (roll < 0.8) ids[i] = maskId;
            else if (roll < 0.9) ids[i] = random.Next(tokenizer.VocabularySize);
        }
        return new MaskedBatch(ids, positions.ToArray(), labels.ToArray());
    }
}
