using Lahja.Distillation.Local;

namespace Lahja.Distillation;

/// <summary>
/// Builds the teacher a <see cref="TeacherSpec"/> names. LLM teachers share one answer cache, opened on first need and
/// closed with the factory: dispose the teachers first, then the factory.
/// </summary>
/// <param name="options">What the teachers need.</param>
public sealed class TeacherFactory(TeacherFactoryOptions options) : IDisposable
{
    private AnswerCache? cache;

    /// <summary>The teacher <paramref name="spec"/> names; the caller disposes it.</summary>
    /// <exception cref="InvalidOperationException">An LLM spec without <see cref="TeacherFactoryOptions.Llm"/>.</exception>
    public ITeacher Create(TeacherSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        switch (spec.Kind)
        {
            case TeacherKind.Llm:
                var llm = options.Llm ?? throw new InvalidOperationException($"'{spec}': no settings for LLM teachers were given.");
                var settings = llm(spec.Argument!);
                return new LlmTeacher(settings, Cache());
            case TeacherKind.LocalTrained:
                return new LocalTeacher(options.Local);
            case TeacherKind.LocalSaved:
                return LocalTeacher.Load(spec.Argument!, options.SavedLocalRelativeThreshold);
            case TeacherKind.Model:
                var directory = options.ResolveModel(spec.Argument!);
                return new ModelTeacher(DialectIdentifier.Load(directory, options.Model), spec.Argument!);
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Unknown teacher kind.");
        }
    }

    /// <summary>The shared answer cache, said for each teacher that uses it; null in a dry run before the cache exists.</summary>
    private AnswerCache? Cache()
    {
        if (options.ExistingCacheOnly && !File.Exists(options.CachePath))
        {
            options.Log?.Invoke($"no answer cache yet ({options.CachePath})");
            return null;
        }
        cache ??= new AnswerCache(options.CachePath);
        options.Log?.Invoke($"answer cache {cache.Path}");
        return cache;
    }

    /// <inheritdoc/>
    public void Dispose() => cache?.Dispose();
}
