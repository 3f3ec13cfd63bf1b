namespace Lahja.Text;

/// <summary>
/// A WordPiece BERT tokenizer that gives the input ids Python users get from
/// <c>AutoTokenizer.from_pretrained(dir)</c> (Hugging Face's fast tokenizer), with offsets into the input.
/// Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Written here rather than taken from a library: Microsoft.ML.Tokenizers' BertTokenizer differed from Hugging Face
/// on 12% of Arabic tweet lines, and FastBertTokenizer on words over 100 characters and in lacking the
/// <c>tokenizer_config.json</c> options; the differential test against transformers.js (tests/Lahja.Tests) holds
/// this implementation to zero differences.
/// </para>
/// <para>
/// Its stages are Hugging Face's: the added vocabulary (<see cref="AddedVocabulary"/>: special tokens matched
/// verbatim), the normaliser (<see cref="BertNormalizer"/>), the pre-tokenizer (<see cref="BertPreTokenizer"/>), the
/// model (<see cref="WordPieceModel"/>), then <c>[CLS] … [SEP]</c>, truncation and padding (<see cref="Padding"/>);
/// <see cref="WordPieceDecoder"/> goes back. <see cref="BertTokenizerFiles"/> reads a checkpoint's files.
/// </para>
/// </remarks>
public sealed class BertTokenizer
{
    /// <summary>The default maximum sequence length (B2BERT's inference and training setting).</summary>
    public const int DefaultMaxLength = 128;

    // Normalised text is written into a buffer that is reused, one per thread: allocating one per call would cost
    // about as much as normalising a short text. A buffer grown by a very long text is not kept.
    private const int MaxCachedBufferLength = 4096;
    [ThreadStatic] private static NormalizedBuffer? t_buffer;

    private readonly WordPieceModel _model;
    private readonly AddedVocabulary _added;

    /// <summary>Creates a tokenizer from a vocabulary (token → id) and resolved settings.</summary>
    /// <param name="vocabulary">Token to id; ids need not be dense but must be non-negative.</param>
    /// <param name="settings">The normalisation and special-token settings.</param>
    /// <param name="extraSpecialTokens">Further tokens matched verbatim in input text (Hugging Face "added tokens").</param>
    public BertTokenizer(IReadOnlyDictionary<string, int> vocabulary, BertTokenizerSettings settings, IEnumerable<string>? extraSpecialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        _model = new WordPieceModel(vocabulary, settings.UnkToken, settings.ContinuingSubwordPrefix, settings.MaxInputCharsPerWord);
        foreach (var (name, token) in new[] { ("unk", settings.UnkToken), ("cls", settings.ClsToken), ("sep", settings.SepToken), ("pad", settings.PadToken) })
            if (_model.TokenToId(token) is null)
                throw new InvalidDataException($"The vocabulary has no {name} token '{token}'.");
        UnkId = _model.UnkId;
        ClsId = _model.TokenToId(settings.ClsToken)!.Value;
        SepId = _model.TokenToId(settings.SepToken)!.Value;
        PadId = _model.TokenToId(settings.PadToken)!.Value;
        _added = new AddedVocabulary(new[] { settings.PadToken, settings.UnkToken, settings.ClsToken, settings.SepToken, settings.MaskToken }
            .Concat(extraSpecialTokens ?? [])
            .Where(t => t.Length > 0 && _model.TokenToId(t) is not null)
            .Distinct(StringComparer.Ordinal)
            .Select(t => (t, _model.TokenToId(t)!.Value)));
    }

    /// <summary>The settings in force.</summary>
    public BertTokenizerSettings Settings { get; }

    /// <summary>The number of ids (largest id + 1).</summary>
    public int VocabularySize => _model.Size;

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
    public static BertTokenizer FromDirectory(string directory, BertTokenizerOptions? options = null) => BertTokenizerFiles.Load(directory, options);

    /// <summary>
    /// Reads a <c>vocab.txt</c> as Python does: one token per line (CR, LF or CRLF), id = line number, a repeated
    /// token keeping its last id.
    /// </summary>
    public static Dictionary<string, int> ReadVocabulary(string path) => BertTokenizerFiles.ReadVocabulary(path);

    /// <summary>The token string of <paramref name="id"/>.</summary>
    public string IdToToken(int id) => _model.IdToToken(id);

    /// <summary>The id of <paramref name="token"/>, or null when it is not in the vocabulary.</summary>
    public int? TokenToId(string token) => _model.TokenToId(token);

    /// <summary>The token strings of <paramref name="ids"/>.</summary>
    public string[] ConvertIdsToTokens(IEnumerable<int> ids) => ids.Select(IdToToken).ToArray();

    /// <summary>
    /// Turns ids back into text as Hugging Face's WordPiece decoder does: pieces joined with spaces, <c>##</c> pieces
    /// glued to the previous one, and (by default) the tokenization spaces before punctuation cleaned up.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false, bool cleanUpTokenizationSpaces = true) =>
        WordPieceDecoder.Decode(ids.Where(id => !(skipSpecialTokens && _added.IsSpecial(id))).Select(IdToToken),
            Settings.ContinuingSubwordPrefix, cleanUpTokenizationSpaces);

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
        var encoding = new EncodingBuilder(text.Length / 3 + 4);
        if (addSpecialTokens) encoding.Add(ClsId, 0, 0, true);
        EncodeInto(text, encoding);
        var truncated = false;
        if (maxLength is { } max && encoding.Count + (addSpecialTokens ? 1 : 0) > max)
        {
            encoding.Truncate(max - (addSpecialTokens ? 1 : 0));
            truncated = true;
        }
        if (addSpecialTokens) encoding.Add(SepId, 0, 0, true);
        var ids = encoding.Ids();
        var tokens = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++) tokens[i] = _model.Token(ids[i]);
        return new TokenizedText(ids, tokens, encoding.Offsets(), encoding.SpecialTokensMask(), truncated);
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
    public TokenizedBatch Pad(IReadOnlyList<TokenizedText> items, int? length = null) => Padding.Pad(items, PadId, length);

    /// <summary>Counts the pieces of <paramref name="text"/> without building an encoding (no specials, no limit).</summary>
    public int CountTokens(string text)
    {
        var ids = new EncodingBuilder(0, idsOnly: true);
        EncodeInto(text, ids);
        return ids.Count;
    }

    /// <summary>The words the BERT pre-tokenizer makes of <paramref name="text"/> after normalisation (for vocabulary training).</summary>
    internal List<string> PreTokenize(string text)
    {
        var buffer = new NormalizedBuffer();
        BertNormalizer.Normalize(text, 0, text.Length, Settings, buffer);
        return BertPreTokenizer.WordSpans(buffer).Select(w => new string(buffer.Chars, w.Start, w.End - w.Start)).ToList();
    }

    private void EncodeInto(string text, EncodingBuilder encoding)
    {
        var segmentStart = 0;
        while (_added.FindNext(text, segmentStart, out var index, out var id, out var length))
        {
            EncodeSegment(text, segmentStart, index, encoding);
            encoding.Add(id, index, index + length, true);
            segmentStart = index + length;
        }
        EncodeSegment(text, segmentStart, text.Length, encoding);
    }

    private void EncodeSegment(string text, int start, int end, EncodingBuilder encoding)
    {
        if (start >= end) return;
        // Taken from the thread's slot while in use, so the buffer is never shared.
        var buffer = t_buffer ?? new NormalizedBuffer();
        t_buffer = null;
        BertNormalizer.Normalize(text, start, end, Settings, buffer);
        foreach (var (wordStart, wordEnd) in BertPreTokenizer.WordSpans(buffer))
            _model.Tokenize(buffer, wordStart, wordEnd, encoding);
        if (buffer.Chars.Length <= MaxCachedBufferLength) t_buffer = buffer;
    }
}
