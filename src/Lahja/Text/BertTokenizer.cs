using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Lahja.Text;

/// <summary>
/// A WordPiece BERT tokenizer that gives the input ids Python users get from
/// <c>AutoTokenizer.from_pretrained(dir)</c> (Hugging Face's fast tokenizer), with offsets into the input.
/// Thread-safe.
/// </summary>
/// <remarks>
/// Written here rather than taken from a library: Microsoft.ML.Tokenizers' BertTokenizer differed from Hugging Face
/// on 12% of Arabic tweet lines, and FastBertTokenizer on words over 100 characters and in lacking the
/// <c>tokenizer_config.json</c> options; the differential test against transformers.js (tests/Lahja.Tests) holds
/// this implementation to zero differences.
/// </remarks>
public sealed class BertTokenizer
{
    /// <summary>The default maximum sequence length (B2BERT's inference and training setting).</summary>
    public const int DefaultMaxLength = 128;

    private readonly string[] _idToToken;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordStarts;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly int _longestPiece;
    private readonly (string Content, int Id)[] _specialTokens;
    private readonly HashSet<int> _specialIds;
    private readonly SearchValues<char> _specialFirstChars;
    private readonly ThreadLocal<NormalizedBuffer> _buffer = new(() => new NormalizedBuffer());

    /// <summary>Creates a tokenizer from a vocabulary (token → id) and resolved settings.</summary>
    /// <param name="vocabulary">Token to id; ids need not be dense but must be non-negative.</param>
    /// <param name="settings">The normalisation and special-token settings.</param>
    /// <param name="extraSpecialTokens">Further tokens matched verbatim in input text (Hugging Face "added tokens").</param>
    public BertTokenizer(IReadOnlyDictionary<string, int> vocabulary, BertTokenizerSettings settings, IEnumerable<string>? extraSpecialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        var size = vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1;
        _idToToken = new string[size];
        var starts = new Dictionary<string, int>(vocabulary.Count, FastOrdinalComparer.Instance);
        var continuations = new Dictionary<string, int>(FastOrdinalComparer.Instance);
        var prefix = settings.ContinuingSubwordPrefix;
        foreach (var (token, id) in vocabulary)
        {
            if (id < 0) throw new ArgumentException($"Token '{token}' has a negative id {id}.", nameof(vocabulary));
            _idToToken[id] ??= token;
            starts[token] = id;
            if (prefix.Length > 0 && token.StartsWith(prefix, StringComparison.Ordinal))
                continuations[token[prefix.Length..]] = id;
            _longestPiece = Math.Max(_longestPiece, token.Length);
        }
        for (var id = 0; id < _idToToken.Length; id++) _idToToken[id] ??= settings.UnkToken;
        _wordStarts = starts.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var (name, token) in new[] { ("unk", settings.UnkToken), ("cls", settings.ClsToken), ("sep", settings.SepToken), ("pad", settings.PadToken) })
            if (!starts.ContainsKey(token))
                throw new InvalidDataException($"The vocabulary has no {name} token '{token}'.");
        UnkId = starts[settings.UnkToken];
        ClsId = starts[settings.ClsToken];
        SepId = starts[settings.SepToken];
        PadId = starts[settings.PadToken];
        _specialTokens = new[] { settings.PadToken, settings.UnkToken, settings.ClsToken, settings.SepToken, settings.MaskToken }
            .Concat(extraSpecialTokens ?? [])
            .Where(t => t.Length > 0 && starts.ContainsKey(t))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(t => t.Length)
            .Select(t => (t, starts[t]))
            .ToArray();
        _specialIds = _specialTokens.Select(t => t.Id).ToHashSet();
        _specialFirstChars = SearchValues.Create(_specialTokens.Select(t => t.Content[0]).Distinct().ToArray());
    }

    /// <summary>The settings in force.</summary>
    public BertTokenizerSettings Settings { get; }

    /// <summary>The number of ids (largest id + 1).</summary>
    public int VocabularySize => _idToToken.Length;

    /// <summary>Id of the unknown token.</summary>
    public int UnkId { get; }

    /// <summary>Id of the classification token that starts every sequence.</summary>
    public int ClsId { get; }

    /// <summary>Id of the separator token that ends every sequence.</summary>
    public int SepId { get; }

    /// <summary>Id of the padding token.</summary>
    public int PadId { get; }

    /// <summary>
    /// Loads the tokenizer of a Hugging Face BERT checkpoint directory the way <c>AutoTokenizer.from_pretrained</c>
    /// does: the vocabulary from <c>tokenizer.json</c> when present, else <c>vocab.txt</c>; <c>do_lower_case</c>,
    /// <c>strip_accents</c>, <c>tokenize_chinese_chars</c> and special tokens from <c>tokenizer_config.json</c> (and
    /// <c>special_tokens_map.json</c>), or the Hugging Face defaults when it is absent (lowercase, accents stripped —
    /// B2BERT's case). As in <c>BertTokenizerFast</c>, those settings override the normaliser written in
    /// <c>tokenizer.json</c>. <paramref name="options"/> override everything.
    /// </summary>
    /// <exception cref="FileNotFoundException">The directory has neither tokenizer.json nor vocab.txt.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names it.</exception>
    public static BertTokenizer FromDirectory(string directory, BertTokenizerOptions? options = null)
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

    /// <summary>The token string of <paramref name="id"/>.</summary>
    public string IdToToken(int id) =>
        (uint)id < (uint)_idToToken.Length ? _idToToken[id] : throw new ArgumentOutOfRangeException(nameof(id), id, $"Ids range from 0 to {_idToToken.Length - 1}.");

    /// <summary>The id of <paramref name="token"/>, or null when it is not in the vocabulary.</summary>
    public int? TokenToId(string token) => _wordStarts.Dictionary.TryGetValue(token, out var id) ? id : null;

    /// <summary>The token strings of <paramref name="ids"/>.</summary>
    public string[] ConvertIdsToTokens(IEnumerable<int> ids) => ids.Select(IdToToken).ToArray();

    /// <summary>
    /// Turns ids back into text as Hugging Face's WordPiece decoder does: pieces joined with spaces, <c>##</c> pieces
    /// glued to the previous one, and (by default) the tokenization spaces before punctuation cleaned up.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false, bool cleanUpTokenizationSpaces = true)
    {
        var builder = new StringBuilder();
        var prefix = Settings.ContinuingSubwordPrefix;
        foreach (var id in ids)
        {
            if (skipSpecialTokens && _specialIds.Contains(id)) continue;
            var token = IdToToken(id);
            if (builder.Length > 0 && prefix.Length > 0 && token.StartsWith(prefix, StringComparison.Ordinal))
                builder.Append(token, prefix.Length, token.Length - prefix.Length);
            else
            {
                if (builder.Length > 0) builder.Append(' ');
                builder.Append(token);
            }
        }
        var text = builder.ToString();
        if (!cleanUpTokenizationSpaces) return text;
        return text.Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
            .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s").Replace(" 've", "'ve").Replace(" 're", "'re");
    }

    /// <summary>
    /// Encodes one text: <c>[CLS] pieces [SEP]</c>, truncated to <paramref name="maxLength"/> tokens (specials
    /// included; null for no limit).
    /// </summary>
    public TokenizedText Encode(string text, int? maxLength = DefaultMaxLength, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reserved = addSpecialTokens ? 2 : 0;
        if (maxLength is { } limit && limit < reserved)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"Must be at least {reserved}.");
        var ids = new List<int>(text.Length / 3 + 4);
        var offsets = new List<(int, int)>(ids.Capacity);
        var special = new List<bool>(ids.Capacity);
        if (addSpecialTokens) Add(ClsId, (0, 0), true);
        EncodeInto(text, ids, offsets, special);
        var truncated = false;
        if (maxLength is { } max && ids.Count + (addSpecialTokens ? 1 : 0) > max)
        {
            var keep = max - (addSpecialTokens ? 1 : 0);
            ids.RemoveRange(keep, ids.Count - keep);
            offsets.RemoveRange(keep, offsets.Count - keep);
            special.RemoveRange(keep, special.Count - keep);
            truncated = true;
        }
        if (addSpecialTokens) Add(SepId, (0, 0), true);
        var idArray = ids.ToArray();
        var tokens = new string[idArray.Length];
        for (var i = 0; i < idArray.Length; i++) tokens[i] = _idToToken[idArray[i]];
        return new TokenizedText(idArray, tokens, offsets.ToArray(), special.ToArray(), truncated);

        void Add(int id, (int, int) offset, bool isSpecial)
        {
            ids.Add(id);
            offsets.Add(offset);
            special.Add(isSpecial);
        }
    }

    /// <summary>
    /// Encodes a batch and pads it (to the longest, or to <paramref name="maxLength"/>), giving model-ready arrays.
    /// </summary>
    public TokenizedBatch EncodeBatch(IReadOnlyList<string> texts, int maxLength = DefaultMaxLength, PaddingMode padding = PaddingMode.Longest)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (padding == PaddingMode.None)
            throw new ArgumentException("A batch needs padding (Longest or MaxLength) to form rectangular arrays.", nameof(padding));
        var items = new TokenizedText[texts.Count];
        for (var i = 0; i < texts.Count; i++)
            items[i] = Encode(texts[i] ?? throw new ArgumentNullException(nameof(texts), $"Text {i} is null."), maxLength);
        return Pad(items, padding == PaddingMode.MaxLength ? maxLength : null);
    }

    /// <summary>
    /// Pads encodings into a model-ready batch: to <paramref name="length"/> when given, else to the longest.
    /// </summary>
    public TokenizedBatch Pad(IReadOnlyList<TokenizedText> items, int? length = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var longest = items.Count == 0 ? 0 : items.Max(x => x.Count);
        if (length is { } fixedLength && fixedLength < longest)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"An encoding has {longest} tokens.");
        var width = length ?? longest;
        var ids = new long[items.Count * width];
        var mask = new long[ids.Length];
        Array.Fill(ids, PadId);
        for (var row = 0; row < items.Count; row++)
        {
            var item = items[row];
            for (var j = 0; j < item.Count; j++)
            {
                ids[row * width + j] = item.InputIds[j];
                mask[row * width + j] = 1;
            }
        }
        return new TokenizedBatch(items, width, ids, mask, new long[ids.Length]);
    }

    /// <summary>Counts the pieces of <paramref name="text"/> without building an encoding (no specials, no limit).</summary>
    public int CountTokens(string text)
    {
        var ids = new List<int>();
        EncodeInto(text, ids, null, null);
        return ids.Count;
    }

    private void EncodeInto(string text, List<int> ids, List<(int, int)>? offsets, List<bool>? special)
    {
        // Special tokens are matched verbatim in the raw text first (leftmost, longest), as Hugging Face's added
        // vocabulary does; the text between them is normalised and split.
        var segmentStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var next = text.AsSpan(i).IndexOfAny(_specialFirstChars);
            if (next < 0) break;
            i += next;
            foreach (var (content, id) in _specialTokens)
            {
                if (string.CompareOrdinal(text, i, content, 0, content.Length) != 0) continue;
                EncodeSegment(text, segmentStart, i, ids, offsets, special);
                ids.Add(id);
                offsets?.Add((i, i + content.Length));
                special?.Add(true);
                segmentStart = i + content.Length;
                i = segmentStart - 1;
                break;
            }
        }
        EncodeSegment(text, segmentStart, text.Length, ids, offsets, special);
    }

    private void EncodeSegment(string text, int start, int end, List<int> ids, List<(int, int)>? offsets, List<bool>? special)
    {
        if (start >= end) return;
        var buffer = _buffer.Value!;
        BertNormalizer.Normalize(text, start, end, Settings, buffer);
        foreach (var (wordStart, wordEnd) in WordSpans(buffer))
            WordPiece(buffer, wordStart, wordEnd, ids, offsets, special);
    }

    /// <summary>The words the BERT pre-tokenizer makes of <paramref name="text"/> after normalisation (for vocabulary training).</summary>
    internal List<string> PreTokenize(string text)
    {
        var buffer = new NormalizedBuffer();
        BertNormalizer.Normalize(text, 0, text.Length, Settings, buffer);
        return WordSpans(buffer).Select(w => new string(buffer.Chars, w.Start, w.End - w.Start)).ToList();
    }

    /// <summary>BertPreTokenizer: split on whitespace, and isolate every punctuation character.</summary>
    private static List<(int Start, int End)> WordSpans(NormalizedBuffer buffer)
    {
        var spans = new List<(int, int)>();
        var chars = buffer.Chars;
        var i = 0;
        while (i < buffer.Length)
        {
            var rune = ReadRune(chars, i, buffer.Length);
            var width = rune.Utf16SequenceLength;
            if (BertNormalizer.IsWhitespace(rune.Value))
            {
                i += width;
                continue;
            }
            if (BertNormalizer.IsPunctuation(rune))
            {
                spans.Add((i, i + width));
                i += width;
                continue;
            }
            var wordStart = i;
            i += width;
            while (i < buffer.Length)
            {
                var next = ReadRune(chars, i, buffer.Length);
                if (BertNormalizer.IsWhitespace(next.Value) || BertNormalizer.IsPunctuation(next)) break;
                i += next.Utf16SequenceLength;
            }
            spans.Add((wordStart, i));
        }
        return spans;
    }

    private static Rune ReadRune(char[] chars, int index, int length)
    {
        var c = chars[index];
        if (char.IsHighSurrogate(c) && index + 1 < length && char.IsLowSurrogate(chars[index + 1]))
            return new Rune(c, chars[index + 1]);
        return Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar;
    }

    private void WordPiece(NormalizedBuffer buffer, int start, int end, List<int> ids, List<(int, int)>? offsets, List<bool>? special)
    {
        var word = buffer.Chars.AsSpan(start, end - start);
        var codePoints = word.Length;
        foreach (var c in word)
            if (char.IsLowSurrogate(c)) codePoints--;
        if (codePoints > Settings.MaxInputCharsPerWord)
        {
            Emit(UnkId, start, end);
            return;
        }
        var firstPiece = ids.Count;
        var position = 0;
        while (position < word.Length)
        {
            var lookup = position == 0 ? _wordStarts : _continuations;
            var maxEnd = Math.Min(word.Length, position + _longestPiece);
            var found = -1;
            var pieceEnd = maxEnd;
            for (; pieceEnd > position; pieceEnd--)
            {
                if (pieceEnd < word.Length && char.IsLowSurrogate(word[pieceEnd]) && char.IsHighSurrogate(word[pieceEnd - 1]))
                    continue; // never split a surrogate pair: pieces are made of whole code points
                if (lookup.TryGetValue(word[position..pieceEnd], out found)) break;
            }
            if (pieceEnd == position)
            {
                // One unknowable piece makes the whole word unknown.
                ids.RemoveRange(firstPiece, ids.Count - firstPiece);
                if (offsets is not null) offsets.RemoveRange(firstPiece, offsets.Count - firstPiece);
                if (special is not null) special.RemoveRange(firstPiece, special.Count - firstPiece);
                Emit(UnkId, start, end);
                return;
            }
            Emit(found, start + position, start + pieceEnd);
            position = pieceEnd;
        }

        void Emit(int id, int from, int to)
        {
            ids.Add(id);
            offsets?.Add((buffer.Starts[from], buffer.Ends[to - 1]));
            special?.Add(false);
        }
    }

    /// <summary>
    /// Ordinal string equality with a cheap FNV-1a hash, usable with spans. The default ordinal comparer's randomized
    /// Marvin hash guards dictionaries whose keys an attacker chooses; here the keys are the fixed vocabulary and
    /// input only probes it, and the lookups are the tokenizer's hot path.
    /// </summary>
    private sealed class FastOrdinalComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
    {
        public static readonly FastOrdinalComparer Instance = new();

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<char> alternate) => Hash(alternate);

        public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();

        private static int Hash(ReadOnlySpan<char> s)
        {
            var h = 2166136261u;
            foreach (var c in s) h = (h ^ c) * 16777619u;
            return (int)h;
        }
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
