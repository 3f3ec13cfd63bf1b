using System.Security.Cryptography;
using System.Text;

namespace Lahja.Distillation;

/// <summary>How several teachers' labels are combined.</summary>
public enum Vote
{
    /// <summary>A dialect is valid when any teacher marks it.</summary>
    Any,
    /// <summary>When more than half of the teachers mark it.</summary>
    Majority,
    /// <summary>When every teacher marks it.</summary>
    All,
}

/// <summary>One output row of pseudo-labelling.</summary>
/// <param name="Id">The input row's id.</param>
/// <param name="Source">The input file's name.</param>
/// <param name="Text">The original sentence.</param>
/// <param name="Gold">Its gold country, if the input had one.</param>
/// <param name="Labels">The 18 combined labels.</param>
/// <param name="Probabilities">Mean of the teachers' probabilities where they have them, else null.</param>
/// <param name="Teacher">The teacher(s), with the vote when several.</param>
/// <param name="Version">Prompt version or model hash of each teacher.</param>
/// <param name="AnswerHash">Hash of the raw answer(s).</param>
public sealed record PseudoLabel(string Id, string Source, string Text, Dialect? Gold, bool[] Labels, float[]? Probabilities, string Teacher, string Version, string AnswerHash)
{
    /// <summary>Number of valid dialects.</summary>
    public int Cardinality => Labels.Count(x => x);
}

/// <summary>An input row to pseudo-label.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Source">The file it came from.</param>
/// <param name="Item">Text and gold country.</param>
/// <param name="GoldLabels">Multi-label gold when the input has it (null: not annotated), for reporting quality only.</param>
public sealed record SourceRow(string Id, string Source, TeacherItem Item, bool?[]? GoldLabels = null);

/// <summary>Combines teachers' answers into output rows.</summary>
public static class PseudoLabeler
{
    /// <summary>
    /// Combines: a row is labelled only when every teacher answered it (failed rows are returned separately, never
    /// guessed); the vote decides each dialect; with <paramref name="includeGold"/> the original country is always
    /// valid. Sentences a teacher marks valid everywhere stay all-18.
    /// </summary>
    public static (List<PseudoLabel> Labelled, List<(SourceRow Row, string Error, bool Retryable)> Failed, int Unanswered) Combine(
        IReadOnlyList<SourceRow> rows, IReadOnlyList<(ITeacher Teacher, TeacherAnswer?[] Answers)> teachers, Vote vote, bool includeGold)
    {
        var labelled = new List<PseudoLabel>(rows.Count);
        var failed = new List<(SourceRow, string, bool)>();
        var unanswered = 0;
        var teacherName = teachers.Count == 1 ? teachers[0].Teacher.Name : $"vote-{vote.ToString().ToLowerInvariant()}({string.Join('+', teachers.Select(t => t.Teacher.Name))})";
        var version = string.Join('+', teachers.Select(t => t.Teacher.Version));
        for (var i = 0; i < rows.Count; i++)
        {
            var answers = teachers.Select(t => t.Answers[i]).ToList();
            if (answers.Any(a => a is null))
            {
                unanswered++;
                continue;
            }
            if (answers.FirstOrDefault(a => !a!.Succeeded) is { } failure)
            {
                failed.Add((rows[i], failure.Error ?? "failed", failure.Retryable));
                continue;
            }
            var needed = vote switch { Vote.Any => 1, Vote.All => answers.Count, _ => answers.Count / 2 + 1 };
            var labels = new bool[Dialects.Count];
            for (var d = 0; d < Dialects.Count; d++) labels[d] = answers.Count(a => a!.Labels![d]) >= needed;
            if (includeGold && rows[i].Item.Gold is { } gold) labels[(int)gold] = true;
            var soft = answers.Where(a => a!.Probabilities is not null).Select(a => a!.Probabilities!).ToList();
            var probabilities = soft.Count == 0 ? null : Enumerable.Range(0, Dialects.Count).Select(d => soft.Average(p => p[d])).ToArray();
            var hash = answers.Count == 1 ? answers[0]!.AnswerHash
                : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('+', answers.Select(a => a!.AnswerHash)))))[..16];
            labelled.Add(new PseudoLabel(rows[i].Id, rows[i].Source, rows[i].Item.Text, rows[i].Item.Gold, labels, probabilities, teacherName, version, hash));
        }
        return (labelled, failed, unanswered);
    }

    /// <summary>Rows per label cardinality 0…18.</summary>
    public static int[] CardinalityCounts(IEnumerable<PseudoLabel> rows)
    {
        var counts = new int[Dialects.Count + 1];
        foreach (var row in rows) counts[row.Cardinality]++;
        return counts;
    }
}
