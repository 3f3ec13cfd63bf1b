using System.CommandLine;
using System.Globalization;
using Lahja.Text;

namespace Lahja.Cli.Commands.Shared;

/// <summary>
/// The options several commands take, created in one place with one wording, their defaults read from the library's
/// option types (<see cref="DialectIdentifierOptions"/>) rather than repeated as literals.
/// </summary>
internal static class CommonOptions
{
    /// <summary>The library's defaults, which the options show and use.</summary>
    public static DialectIdentifierOptions Defaults { get; } = new();

    public static Option<float?> Threshold(string description = "Probability at or above which a dialect is predicted (default: the model's lahja.json, else {0}).") =>
        new("--threshold") { Description = string.Format(CultureInfo.InvariantCulture, description, DialectIdentifierOptions.DefaultThreshold) };

    public static Option<float?> RelativeThreshold(string description = "A dialect also needs at least this fraction of the top dialect's probability (default: the model's lahja.json, else 0: off).") =>
        new("--relative-threshold") { Description = description };

    public static Option<int> TopK() => new("--top-k") { Description = "Dialects listed in 'top'.", DefaultValueFactory = _ => Defaults.TopK };

    public static Option<int> BatchSize(string description = "Texts per forward pass.") =>
        new("--batch-size") { Description = description, DefaultValueFactory = _ => Defaults.BatchSize };

    /// <summary>
    /// <c>--max-batch-tokens N|none</c>: the library's default budget when absent. <c>none</c> parses to
    /// <see cref="NoTokenBudget"/> (System.CommandLine takes a null from a custom parser for "not parsed");
    /// <see cref="TokenBudget"/> turns the value into the library's.
    /// </summary>
    public static Option<int?> MaxBatchTokens() =>
        new("--max-batch-tokens")
        {
            Description = "Most padded tokens per forward pass (texts × the longest one's tokens): bounds memory whatever the lengths; a longer text runs alone. none: no budget (a GPU runs larger passes faster).",
            HelpName = "N|none",
            DefaultValueFactory = _ => Defaults.MaxBatchTokens,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase)) return NoTokenBudget;
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var budget))
                    result.AddError($"--max-batch-tokens {text}: neither a number of tokens nor 'none'.");
                else if (budget < 1)
                    result.AddError($"--max-batch-tokens {text}: The token budget of a pass must be at least 1.");
                return budget;
            },
        };

    /// <summary>What <c>--max-batch-tokens none</c> parses to.</summary>
    public const int NoTokenBudget = 0;

    /// <summary>The library's token budget for a parsed <c>--max-batch-tokens</c> value (null: no budget).</summary>
    public static int? TokenBudget(int? parsed) => parsed == NoTokenBudget ? null : parsed;

    public static Option<int?> Threads(string description = "CPU threads for the model (default: the engine's choice).") =>
        new("--threads") { Description = description };

    /// <summary><c>--max-length</c> of a command that trains or tokenizes, with its default.</summary>
    public static Option<int> MaxLength(string description, int defaultValue) =>
        new("--max-length") { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary><c>--max-length</c> of a command that runs a model: absent, the model's own limit (<see cref="DialectIdentifierOptions.DefaultMaxLengthFor"/>).</summary>
    public static Option<int?> ModelMaxLength() =>
        new("--max-length")
        {
            Description = $"Maximum tokens per text, [CLS] and [SEP] included (default: the model's limit: {BertTokenizer.DefaultMaxLength}, or less where the model declares less in tokenizer_config.json or config.json).",
        };

    /// <summary>An option naming a preprocessing preset, validated against the built-in names.</summary>
    public static Option<string> Preset(string description = "Preprocessing preset.", string name = "--preprocess", string? defaultValue = null)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue ?? Defaults.Preprocessing };
        option.AcceptOnlyFromAmong([.. TextPreprocessor.PresetNames]);
        return option;
    }

    public static Option<string?> Column() =>
        new("--column") { Description = "Column of a TSV (or .csv) input file with a header row, by name or 1-based number." };

    public static Option<int> Seed(int defaultValue) => new("--seed") { Description = "Seed.", DefaultValueFactory = _ => defaultValue };

    // The optimiser's options, shared by `train` and `pretrain`; out-of-range values are usage errors naming the option.
    public static Option<double> LearningRate(double defaultValue) =>
        new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => defaultValue }.Above(0.0);

    public static Option<double> WeightDecay(double defaultValue) =>
        new Option<double>("--weight-decay") { Description = "AdamW weight decay (not on biases/LayerNorm).", DefaultValueFactory = _ => defaultValue }.Within(0.0);

    public static Option<int> WarmupSteps(int defaultValue) =>
        new Option<int>("--warmup") { Description = "Linear warm-up steps.", DefaultValueFactory = _ => defaultValue }.Within(0);

    public static Option<double> MaxGradNorm(double defaultValue) =>
        new Option<double>("--max-grad-norm") { Description = "Gradient clipping (0: off).", DefaultValueFactory = _ => defaultValue }.Within(0.0);

    /// <summary>Where training runs (libtorch's devices).</summary>
    public static Option<string?> TrainingDevice() =>
        new("--device") { Description = "auto (CUDA when libtorch has it and a GPU is present, else CPU), cpu, cuda, cuda:N. Default: $LAHJA_DEVICE, else auto." };
}
