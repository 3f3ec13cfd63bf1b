using Lahja.Distillation.Local;

namespace Lahja.Distillation;

/// <summary>What <see cref="TeacherFactory"/> needs to build each kind of teacher.</summary>
public sealed record TeacherFactoryOptions
{
    /// <summary>
    /// The LLM teacher's settings for a model name (the <c>MODEL</c> of <c>openai:MODEL</c>); called only for LLM
    /// specs, so it may refuse settings that only an LLM needs. Null: LLM specs are refused.
    /// </summary>
    public Func<string, LlmTeacherOptions>? Llm { get; init; }

    /// <summary>The LLM teachers' answer cache (SQLite), shared by every LLM teacher of the factory.</summary>
    public string CachePath { get; init; } = AnswerCache.DefaultPath;

    /// <summary>Open the answer cache only when it exists, never create it (a dry run, which sends and stores nothing).</summary>
    public bool ExistingCacheOnly { get; init; }

    /// <summary>Settings of a local teacher trained on the input (<c>local</c>).</summary>
    public LocalTeacherOptions Local { get; init; } = new();

    /// <summary>The relative threshold of a saved local teacher (<c>local:DIR</c>); null: the one it was saved with.</summary>
    public float? SavedLocalRelativeThreshold { get; init; }

    /// <summary>How a model teacher's model is loaded (<c>model:DIR_OR_HUB_ID</c>): the engine, threads.</summary>
    public DialectIdentifierOptions Model { get; init; } = new();

    /// <summary>Turns a model teacher's directory or Hub id into a checkpoint directory (default: <see cref="ModelLocator.Resolve"/> without progress).</summary>
    public Func<string, string> ResolveModel { get; init; } = model => ModelLocator.Resolve(model);

    /// <summary>Hears which answer cache is used, or that there is none yet.</summary>
    public Action<string>? Log { get; init; }
}
