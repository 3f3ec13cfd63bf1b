namespace Lahja.Distillation;

/// <summary>The run cannot go on (authentication, unknown model, unreachable endpoint): every row would fail the same way.</summary>
public sealed class TeacherUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
