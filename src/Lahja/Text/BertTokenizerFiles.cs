using System.Text;
using System.Text.Json;

namespace Lahja.Text;

/// <summary>
/// Reads a Hugging Face tokenizer directory as <c>AutoTokenizer.from_pretrained</c> does (see
/// <see cref="BertTokenizer.FromDirectory"/>): <c>tokenizer.json</c> or <c>vocab.txt</c>, <c>tokenizer_config.json</c>
/// and <c>special_tokens_map.json</c>.
/// </summary>
internal static class BertTokenizerFiles
{
    /// <summary>The tokenizer of <paramref name="directory"/>, <paramref name="options"/> overriding its files.</summary>
    public static BertTokenizer Load(string directory, BertTokenizerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Tokenizer directory '{directory}' does not exist.");
        var configPath = Path.Combine(directory, "tokenizer_config.json");
        var mapPath = Path.Combine(directory, "special_tokens_map.json");
        var tokenizerJsonPath = Path.Combine(directory, "tokenizer.json");
        var vocabPath = Path.Combine(directory, "vocab.txt");

        using var config = File.Exists(configPath) ? ParseJson(configPath) : null;
        using var map = File.Exists(mapPath) ? ParseJson(mapPath) : null;
        using var tokenizerJson = File.Exists(tokenizerJsonPath) ? ParseJson(tokenizerJsonPath) : null;

        var extraSpecial = new List<string>();
        IReadOnlyDictionary<string, int> vocabulary;
        var maxChars = 100;
        var prefix = "##";
        var cleanText = true;
        string? modelUnk = null;
        if (tokenizerJson is not null)
        {
            var root = tokenizerJson.RootElement;
            var model = Property(root, "model") ?? throw Malformed(tokenizerJsonPath, "has no \"model\"");
            var type = StringProperty(model, "type");
            if (type is not null && type != "WordPiece")
                throw Malformed(tokenizerJsonPath, $"describes a {type} model; only WordPiece (BERT) tokenizers are supported");
            var vocabElement = Property(model, "vocab") ?? throw Malformed(tokenizerJsonPath, "has no model.vocab");
            var dict = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in vocabElement.EnumerateObject())
                dict[entry.Name] = entry.Value.TryGetInt32(out var id) ? id : throw Malformed(tokenizerJsonPath, $"has a non-integer id for '{entry.Name}'");
            vocabulary = dict;
            maxChars = IntProperty(model, "max_input_chars_per_word") ?? maxChars;
            prefix = StringProperty(model, "continuing_subword_prefix") ?? prefix;
            modelUnk = StringProperty(model, "unk_token");
            if (Property(root, "normalizer") is { ValueKind: JsonValueKind.Object } normalizer)
                cleanText = BoolProperty(normalizer, "clean_text") ?? true;
            if (Property(root, "added_tokens") is { ValueKind: JsonValueKind.Array } added)
            {
                foreach (var token in added.EnumerateArray())
                {
                    if (StringProperty(token, "content") is not { } content) continue;
                    if (token.TryGetProperty("id", out var idElement) && idElement.TryGetInt32(out var addedId))
                        dict.TryAdd(content, addedId);
                    extraSpecial.Add(content);
                }
            }
        }
        else if (File.Exists(vocabPath))
        {
            vocabulary = ReadVocabulary(vocabPath);
        }
        else
        {
            throw new FileNotFoundException($"'{directory}' has neither tokenizer.json nor vocab.txt: it is not a BERT tokenizer directory.");
        }

        string Special(string key, string fallback) =>
            (config is null ? null : TokenProperty(config.RootElement, key)) ?? (map is null ? null : TokenProperty(map.RootElement, key)) ?? fallback;

        var root2 = config?.RootElement;
        if (root2 is { } cfg)
        {
            if (Property(cfg, "additional_special_tokens") is { ValueKind: JsonValueKind.Array } additional)
                extraSpecial.AddRange(additional.EnumerateArray().Select(TokenContent).OfType<string>());
            if (Property(cfg, "added_tokens_decoder") is { ValueKind: JsonValueKind.Object } decoder)
                extraSpecial.AddRange(decoder.EnumerateObject().Select(p => TokenContent(p.Value)).OfType<string>());
        }

        var lower = options?.DoLowerCase ?? (root2 is { } c1 ? BoolProperty(c1, "do_lower_case") : null) ?? true;
        var strip = options?.StripAccents ?? (root2 is { } c2 ? BoolProperty(c2, "strip_accents") : null) ?? lower;
        var chinese = options?.TokenizeChineseChars ?? (root2 is { } c3 ? BoolProperty(c3, "tokenize_chinese_chars") : null) ?? true;
        int? maxLength = options?.ModelMaxLength ?? (root2 is { } c4 ? IntProperty(c4, "model_max_length") : null);
        var source = options is { DoLowerCase: not null } or { StripAccents: not null } or { TokenizeChineseChars: not null }
            ? "explicit options"
            : config is null ? "Hugging Face defaults (no tokenizer_config.json)" : "tokenizer_config.json";

        var settings = new BertTokenizerSettings(
            DoLowerCase: lower,
            StripAccents: strip,
            TokenizeChineseChars: chinese,
            CleanText: cleanText,
            UnkToken: Special("unk_token", modelUnk ?? "[UNK]"),
            ClsToken: Special("cls_token", "[CLS]"),
            SepToken: Special("sep_token", "[SEP]"),
            PadToken: Special("pad_token", "[PAD]"),
            MaskToken: Special("mask_token", "[MASK]"),
            ModelMaxLength: maxLength is > 0 and < 1_000_000 ? maxLength : null,
            MaxInputCharsPerWord: maxChars,
            ContinuingSubwordPrefix: prefix,
            Source: source);
        try
        {
            return new BertTokenizer(vocabulary, settings, extraSpecial);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Tokenizer in '{directory}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads a <c>vocab.txt</c> as Python does: one token per line (CR, LF or CRLF), id = line number, a repeated
    /// token keeping its last id.
    /// </summary>
    public static Dictionary<string, int> ReadVocabulary(string path)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = new StreamReader(path, new UTF8Encoding(false, true));
        var index = 0;
        try
        {
            while (reader.ReadLine() is { } line)
                vocabulary[line] = index++;
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}:{index + 1}: not valid UTF-8.", e);
        }
        if (vocabulary.Count == 0) throw new InvalidDataException($"{path} is empty.");
        return vocabulary;
    }

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
    }

    private static InvalidDataException Malformed(string path, string problem) => new($"{path} {problem}.");

    private static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? StringProperty(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static bool? BoolProperty(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;

    private static int? IntProperty(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetDouble(out var d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;

    // A special token is written either as a string or as {"content": "...", ...} (AddedToken).
    private static string? TokenProperty(JsonElement element, string name) => Property(element, name) is { } value ? TokenContent(value) : null;

    private static string? TokenContent(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object => StringProperty(value, "content"),
        _ => null,
    };
}
