namespace Lahja.Text;

/// <summary>One named text transformation of a preprocessing pipeline.</summary>
public interface IPreprocessingStep
{
    /// <summary>A short kebab-case name (for example <c>remove-diacritics</c>).</summary>
    string Name { get; }

    /// <summary>Applies the step to one text.</summary>
    string Apply(string text);
}

/// <summary>
/// An ordered, named pipeline of preprocessing steps. Built-in presets: <c>b2bert</c> (the ten steps B2BERT was
/// trained with) and <c>none</c>. Presets compose: <see cref="Without"/> drops steps, <see cref="Then"/> appends.
/// Instances are immutable and thread-safe.
/// </summary>
public sealed class TextPreprocessor
{
    /// <summary>The name of the preset B2BERT was trained with.</summary>
    public const string B2BertPresetName = "b2bert";

    /// <summary>The name of the preset that leaves text unchanged.</summary>
    public const string NonePresetName = "none";

    /// <summary>Creates a pipeline named <paramref name="name"/> from <paramref name="steps"/>, applied in order.</summary>
    public TextPreprocessor(string name, IEnumerable<IPreprocessingStep> steps)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(steps);
        Name = name;
        Steps = steps.ToArray();
    }

    /// <summary>The ten steps of B2BERT's training preprocessing, in order (see the README).</summary>
    public static TextPreprocessor B2Bert { get; } = new(B2BertPresetName, B2BertSteps.All);

    /// <summary>The identity pipeline: what the published model card snippet feeds the model.</summary>
    public static TextPreprocessor None { get; } = new(NonePresetName, []);

    /// <summary>The names of the built-in presets.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [B2BertPresetName, NonePresetName];

    /// <summary>The pipeline's name.</summary>
    public string Name { get; }

    /// <summary>The steps, in the order they are applied.</summary>
    public IReadOnlyList<IPreprocessingStep> Steps { get; }

    /// <summary>Returns the built-in preset called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists the valid ones.</exception>
    public static TextPreprocessor FromPreset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            B2BertPresetName => B2Bert,
            NonePresetName => None,
            _ => throw new ArgumentException($"Unknown preprocessing preset '{name}'. Valid presets: {string.Join(", ", PresetNames)}.", nameof(name)),
        };
    }

    /// <summary>A copy of this pipeline without the steps named in <paramref name="stepNames"/>.</summary>
    /// <exception cref="ArgumentException">A name matches no step of this pipeline.</exception>
    public TextPreprocessor Without(params string[] stepNames)
    {
        foreach (var stepName in stepNames)
            if (Steps.All(s => s.Name != stepName))
                throw new ArgumentException($"Pipeline '{Name}' has no step '{stepName}'. Its steps: {string.Join(", ", Steps.Select(s => s.Name))}.", nameof(stepNames));
        return new($"{Name}-without-{string.Join("-", stepNames)}", Steps.Where(s => !stepNames.Contains(s.Name)));
    }

    /// <summary>A copy of this pipeline followed by <paramref name="more"/>.</summary>
    public TextPreprocessor Then(params IPreprocessingStep[] more) => new($"{Name}+{string.Join("+", more.Select(s => s.Name))}", Steps.Concat(more));

    /// <summary>Applies every step to <paramref name="text"/>.</summary>
    public string Process(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var step in Steps)
            text = step.Apply(text);
        return text;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
