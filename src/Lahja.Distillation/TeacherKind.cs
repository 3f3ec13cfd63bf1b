namespace Lahja.Distillation;

/// <summary>The kinds of teacher a <see cref="TeacherSpec"/> names.</summary>
public enum TeacherKind
{
    /// <summary><c>openai:MODEL</c>: an LLM behind an OpenAI-compatible API (<see cref="LlmTeacher"/>).</summary>
    Llm,

    /// <summary><c>local</c>: n-gram classifiers trained on the rows to label, cross-fitted (<see cref="Local.LocalTeacher"/>).</summary>
    LocalTrained,

    /// <summary><c>local:DIR</c>: local classifiers saved earlier.</summary>
    LocalSaved,

    /// <summary><c>model:DIR_OR_HUB_ID</c>: a dialect model (<see cref="ModelTeacher"/>).</summary>
    Model,
}
