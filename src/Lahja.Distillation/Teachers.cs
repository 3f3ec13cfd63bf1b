namespace Lahja.Distillation;

/// <summary>One row to label: the original sentence (never the preprocessed one) and its gold country if known.</summary>
/// <param name="Text">The sentence as written.</param>
/// <param name="Gold">The single gold country, or null.</param>
public sealed record TeacherItem(string Text, Dialect? Gold = null);

/// <summary>A teacher's decision for one row.</summary>
/// <param name="Labels">18 booleans in canonical order (null when the teacher failed on this row).</param>
/// <param name="Probabilities">18 probabilities when the teacher has them (local and model teachers), else null.</param>
/// <param name="AnswerHash">Hash of the raw answer (provenance), empty when failed.</param>
/// <param name="Error">Why the row failed, or null.</param>
/// <param name="Retryable">A failure from errors or timeouts rather than the teacher's answer: not cached, asked again by a rerun.</param>
public sealed record TeacherAnswer(bool[]? Labels, float[]? Probabilities, string AnswerHash, string? Error = null, bool Retryable = false)
{
    /// <summary>Whether the teacher gave a usable answer.</summary>
    public bool Succeeded => Labels is not null;

    /// <summary>A failed row: recorded as failed, never guessed.</summary>
    public static TeacherAnswer Failed(string error, bool retryable = false) => new(null, null, "", error, retryable);
}

/// <summary>Progress of a labelling run.</summary>
/// <param name="Done">Rows finished (answered or failed).</param>
/// <param name="Total">Rows in the run.</param>
public readonly record struct LabelingProgress(int Done, int Total);

/// <summary>A teacher: decides, for each sentence, every dialect it could be said in.</summary>
public interface ITeacher : IDisposable
{
    /// <summary>The teacher as written in output provenance (for example <c>openai:gpt-4o</c>, <c>local</c>).</summary>
    string Name { get; }

    /// <summary>The version of what the teacher was asked or how it decides (prompt version, model hash).</summary>
    string Version { get; }

    /// <summary>Labels every row; the result is index-aligned with <paramref name="items"/>.</summary>
    /// <param name="items">The rows.</param>
    /// <param name="progress">Reports rows done.</param>
    /// <param name="cancellationToken">Stops starting new work; work in flight finishes and is kept.</param>
    Task<TeacherAnswer?[]> LabelAsync(IReadOnlyList<TeacherItem> items, IProgress<LabelingProgress>? progress, CancellationToken cancellationToken);
}
