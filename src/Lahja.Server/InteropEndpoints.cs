using System.Text.Json;
using Lahja.Text;
using Microsoft.AspNetCore.Http;

namespace Lahja.Server;

/// <summary>
/// Routes in shapes that existing clients speak: Hugging Face Text Embeddings Inference's <c>POST /predict</c> and
/// <c>GET /info</c>, and the Hugging Face Inference API's text classification on <c>POST /</c>. They run through the
/// same micro-batcher as <c>/v1/identify</c>; each answers errors in its own API's shape.
/// </summary>
internal sealed class InteropEndpoints(DialectIdentifier identifier, MicroBatcher batcher, DialectApiOptions options, TeiInfo info)
{
    /// <summary>Largest probability below 1 in float32: its logit, about 16.6, is the largest <c>raw_scores</c> can tell.</summary>
    private const double MaxProbability = 1 - 1.0 / (1 << 24);

    private readonly TextPreprocessor _preprocessor = TextPreprocessor.FromPreset(identifier.Options.Preprocessing);

    public TeiInfo Info => info;

    /// <summary>TEI's <c>POST /predict</c>.</summary>
    public Task<IResult> Predict(HttpContext context) => Guarded(context, TeiError, async cancellationToken =>
    {
        var body = await JsonBody.Read(context, options.MaxBodyBytes, cancellationToken);
        // TEI (axum) answers a body it cannot deserialize with 422, a wrong media type with 415.
        if (body.Document is not { } document) return TeiError(body.Status == 400 ? 422 : body.Status, body.Detail, "validation");
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputs))
                return TeiError(422, "missing field `inputs`: expected a string or a batch [[\"text\"], …]", "validation");
            var truncate = false;
            var rawScores = false;
            foreach (var (field, set) in new (string, Action<bool>)[] { ("truncate", v => truncate = v), ("raw_scores", v => rawScores = v) })
            {
                if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) continue;
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return TeiError(422, $"`{field}` must be a boolean", "validation");
                set(value.GetBoolean());
            }
            var (texts, batch, error) = TeiInputs(inputs);
            if (error is not null) return TeiError(422, error, "validation");
            if (texts.Count > options.MaxTextsPerRequest)
                return TeiError(413, $"batch size {texts.Count} > maximum allowed batch size {options.MaxTextsPerRequest}", "validation");
            if (TooLong(texts) is { } tooLong) return TeiError(413, tooLong, "validation");
            if (!truncate)
            {
                var max = identifier.MaxLength;
                foreach (var text in texts)
                {
                    var tokens = identifier.Tokenizer.Encode(_preprocessor.Process(text), maxLength: null).Count;
                    if (tokens > max)
                        return TeiError(413, $"Input validation error: `inputs` must have less than {max} tokens. Given: {tokens}", "validation");
                }
            }
            var (predictions, failure) = await Run(texts, context, TeiError, cancellationToken);
            if (failure is not null) return failure;
            var answers = predictions!.Select(p => Scores(p, rawScores ? Logit : Identity, Dialects.Count)).ToList();
            return Json(batch ? answers : answers[0]);
        }
    });

    /// <summary>The Inference API's <c>POST /</c>: <c>{"inputs": text or [texts], "parameters": {"top_k", "function_to_apply"}}</c>.</summary>
    public Task<IResult> Classify(HttpContext context) => Guarded(context, (status, message, _) => InferenceError(status, message), async cancellationToken =>
    {
        var body = await JsonBody.Read(context, options.MaxBodyBytes, cancellationToken);
        if (body.Document is not { } document) return InferenceError(body.Status, body.Detail);
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputs))
                return InferenceError(400, "The body must be a JSON object with \"inputs\": a text or an array of texts.");
            List<string> texts = [];
            if (inputs.ValueKind == JsonValueKind.String && IdentifyEndpoint.TryGetString(inputs, out var single)) texts.Add(single);
            else if (inputs.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in inputs.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String || !IdentifyEndpoint.TryGetString(item, out var text))
                        return InferenceError(400, $"inputs[{texts.Count}] is not a string.");
                    texts.Add(text);
                }
                if (texts.Count == 0) return InferenceError(400, "\"inputs\" is empty.");
            }
            else return InferenceError(400, "\"inputs\" must be a string or an array of strings.");
            if (texts.Count > options.MaxTextsPerRequest)
                return InferenceError(413, $"{texts.Count} texts; at most {options.MaxTextsPerRequest} per request.");
            if (TooLong(texts) is { } tooLong) return InferenceError(413, tooLong);

            var topK = Dialects.Count;
            Func<IReadOnlyList<float>, IReadOnlyList<double>> function = Identity;
            if (root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind != JsonValueKind.Null)
            {
                if (parameters.ValueKind != JsonValueKind.Object) return InferenceError(400, "\"parameters\" must be an object.");
                if (parameters.TryGetProperty("top_k", out var k) && k.ValueKind != JsonValueKind.Null
                    && (k.ValueKind != JsonValueKind.Number || !k.TryGetInt32(out topK) || topK is < 1 or > Dialects.Count))
                    return InferenceError(400, $"\"parameters.top_k\" must be an integer between 1 and {Dialects.Count}.");
                if (parameters.TryGetProperty("function_to_apply", out var f) && f.ValueKind != JsonValueKind.Null)
                {
                    var name = f.ValueKind == JsonValueKind.String ? f.GetString()!.ToLowerInvariant() : null;
                    Func<IReadOnlyList<float>, IReadOnlyList<double>>? chosen = name switch
                    {
                        "sigmoid" => Identity,
                        "softmax" => Softmax,
                        "none" => Logit,
                        _ => null,
                    };
                    if (chosen is null) return InferenceError(400, "\"parameters.function_to_apply\" must be sigmoid, softmax or none.");
                    function = chosen;
                }
            }
            var (predictions, failure) = await Run(texts, context, (status, message, _) => InferenceError(status, message), cancellationToken);
            if (failure is not null) return failure;
            return Json(predictions!.Select(p => Scores(p, function, topK).Select(s => new { s.Label, s.Score })).ToList());
        }
    });

    /// <summary>
    /// TEI's <c>inputs</c>: a string, or a batch of one-element arrays. A pair (two strings, alone or in a batch) is
    /// what a cross-encoder reads; this model reads one text, so a pair is refused rather than joined.
    /// </summary>
    private static (List<string> Texts, bool Batch, string? Error) TeiInputs(JsonElement inputs)
    {
        const string expected = "`inputs` must be a string or a batch of single strings [[\"text\"], …]";
        if (inputs.ValueKind == JsonValueKind.String)
            return IdentifyEndpoint.TryGetString(inputs, out var text) ? ([text], false, null) : ([], false, expected);
        if (inputs.ValueKind != JsonValueKind.Array) return ([], false, expected);
        var items = inputs.EnumerateArray().ToList();
        if (items.Count == 0) return ([], true, "`inputs` cannot be empty");
        if (items.All(i => i.ValueKind == JsonValueKind.String))
            return ([], false, "text pairs are not supported: this model classifies single texts (send [[\"a\"], [\"b\"]] for a batch)");
        var texts = new List<string>(items.Count);
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.Array) return ([], true, $"inputs[{texts.Count}]: {expected}");
            var parts = item.EnumerateArray().ToList();
            if (parts.Count == 2) return ([], true, $"inputs[{texts.Count}]: text pairs are not supported: this model classifies single texts");
            if (parts.Count != 1 || parts[0].ValueKind != JsonValueKind.String || !IdentifyEndpoint.TryGetString(parts[0], out var text))
                return ([], true, $"inputs[{texts.Count}]: {expected}");
            texts.Add(text);
        }
        return (texts, true, null);
    }

    private string? TooLong(List<string> texts)
    {
        var index = texts.FindIndex(t => t.Length > options.MaxCharactersPerText);
        return index < 0 ? null : $"text {index} has {texts[index].Length} characters; at most {options.MaxCharactersPerText}.";
    }

    /// <summary>Predicts through the micro-batcher; a full queue is an error in the caller's shape (429 overloaded).</summary>
    private async Task<(IReadOnlyList<DialectPrediction>? Predictions, IResult? Failure)> Run(
        List<string> texts, HttpContext context, Func<int, string, string, IResult> error, CancellationToken cancellationToken)
    {
        if (await batcher.TryPredict(context, texts, _preprocessor, cancellationToken) is { } predictions) return (predictions, null);
        return (null, error(429, "Model is overloaded", "overloaded"));
    }

    /// <summary>Runs a handler under the request timeout: a request that takes longer is answered 504 in the caller's shape.</summary>
    private Task<IResult> Guarded(HttpContext context, Func<int, string, string, IResult> error, Func<CancellationToken, Task<IResult>> handle) =>
        BatchedRequest.WithTimeout(context, options.RequestTimeout, handle,
            () => error(504, $"The request took longer than {options.RequestTimeout.TotalMilliseconds:0} ms; retry, or send fewer texts.", "backend"));

    /// <summary>Every dialect's score, highest first (ties in label order), the first <paramref name="count"/>.</summary>
    private static List<LabelScore> Scores(DialectPrediction prediction, Func<IReadOnlyList<float>, IReadOnlyList<double>> function, int count)
    {
        var scores = function(prediction.Probabilities);
        return [.. Dialects.All.OrderByDescending(d => scores[(int)d]).ThenBy(d => d).Take(count).Select(d => new LabelScore((float)scores[(int)d], d.Label()))];
    }

    private static IReadOnlyList<double> Identity(IReadOnlyList<float> probabilities) => [.. probabilities.Select(p => (double)p)];

    /// <summary>The logit of each sigmoid probability, log(p / (1 − p)), with p kept below 1 so that it stays finite.</summary>
    private static IReadOnlyList<double> Logit(IReadOnlyList<float> probabilities) =>
        [.. probabilities.Select(p => Math.Min(p, MaxProbability)).Select(p => Math.Log(p / (1 - p)))];

    /// <summary>Softmax over the logits, as a single-label model's pipeline would apply it.</summary>
    private static IReadOnlyList<double> Softmax(IReadOnlyList<float> probabilities)
    {
        var logits = Logit(probabilities);
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        var sum = exp.Sum();
        return [.. exp.Select(e => e / sum)];
    }

    /// <summary>An answer of its runtime type (answers to single and batch inputs differ in shape).</summary>
    private static IResult Json(object value) => ApiResults.Json(value);

    /// <summary>TEI's error: <c>{"error", "error_type"}</c>.</summary>
    internal static IResult TeiError(int status, string message, string type) => ApiResults.Json(new TeiError(message, type), status);

    /// <summary>The Inference API's error: <c>{"error"}</c>.</summary>
    internal static IResult InferenceError(int status, string message) => ApiResults.Json(new InferenceError(message), status);
}
