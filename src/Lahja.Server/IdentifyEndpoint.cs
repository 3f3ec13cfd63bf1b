using System.Text.Json;
using Lahja.Text;
using Microsoft.AspNetCore.Http;

namespace Lahja.Server;

/// <summary>
/// <c>POST /v1/identify</c>. The body is parsed by hand rather than bound, so that every kind of bad input gets its
/// own 4xx problem naming the field instead of the framework's generic answer (or a 500).
/// </summary>
internal sealed class IdentifyEndpoint(DialectApiRuntime runtime)
{
    private DialectApiOptions Options => runtime.Options;

    public Task<IResult> Handle(HttpContext context) => BatchedRequest.WithTimeout(context, Options.RequestTimeout,
        cancellationToken => Identify(context, cancellationToken),
        () => ApiResults.Problem(504, "Timed out", $"The request took longer than {Options.RequestTimeout.TotalMilliseconds:0} ms; retry, or send fewer texts."));

    private async Task<IResult> Identify(HttpContext context, CancellationToken cancellationToken)
    {
        var body = await JsonBody.Read(context, Options.MaxBodyBytes, cancellationToken);
        if (body.Document is not { } document) return ApiResults.Problem(body.Status, body.Title, body.Detail);
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return ApiResults.Problem(400, "Invalid request", "The body must be a JSON object.");
            if (await runtime.TryLoadAsync(cancellationToken) is not var (identifier, batcher, _)) return ApiResults.ModelUnavailable();
            var request = Parse(identifier, root, out var problem);
            if (problem is not null) return problem;
            var (texts, decision, topK, subset, preprocessor) = request!.Value;

            if (await batcher.TryPredict(context, texts, preprocessor, cancellationToken) is not { } predictions)
                return ApiResults.Problem(503, "Busy", $"More than {Options.MaxQueuedTexts} texts are waiting; retry shortly.");
            var results = new IdentifyResult[texts.Count];
            for (var i = 0; i < texts.Count; i++) results[i] = Result(identifier, texts[i], predictions[i], decision, topK, subset);
            return ApiResults.Json(new IdentifyResponse(results));
        }
    }

    /// <summary>
    /// The request's fields. <c>Decision</c>: the identifier's rule with the request's thresholds, as
    /// <c>lahja predict --threshold/--relative-threshold</c> would set them (per-dialect thresholds from the model's
    /// lahja.json still apply to their dialects), so the decision equals predict's.
    /// </summary>
    private (IReadOnlyList<string> Texts, DecisionRule Decision, int TopK, HashSet<Dialect>? Subset, TextPreprocessor Preprocessor)? Parse(DialectIdentifier identifier, JsonElement root, out IResult? problem)
    {
        problem = null;
        List<string> texts;
        var single = root.TryGetProperty("text", out var text);
        if (single)
        {
            if (text.ValueKind != JsonValueKind.String || !TryGetString(text, out var value))
            {
                problem = ApiResults.Problem(400, "Invalid field", "\"text\" must be a string.", "text");
                return null;
            }
            texts = [value];
        }
        else if (root.TryGetProperty("texts", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                problem = ApiResults.Problem(400, "Invalid field", "\"texts\" must be an array of strings.", "texts");
                return null;
            }
            texts = [];
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || !TryGetString(item, out var value))
                {
                    problem = ApiResults.Problem(400, "Invalid field", $"texts[{texts.Count}] is not a string.", $"texts[{texts.Count}]");
                    return null;
                }
                texts.Add(value);
            }
            if (texts.Count == 0)
            {
                problem = ApiResults.Problem(400, "Invalid field", "\"texts\" is empty.", "texts");
                return null;
            }
        }
        else
        {
            problem = ApiResults.Problem(400, "Missing field", "Give \"text\" (a string) or \"texts\" (an array of strings).", "text");
            return null;
        }
        if (texts.Count > Options.MaxTextsPerRequest)
        {
            problem = ApiResults.Problem(413, "Too many texts", $"{texts.Count} texts; at most {Options.MaxTextsPerRequest} per request.", "texts");
            return null;
        }
        var tooLong = texts.FindIndex(t => t.Length > Options.MaxCharactersPerText);
        if (tooLong >= 0)
        {
            problem = ApiResults.Problem(413, "Text too long", $"Text {tooLong} has {texts[tooLong].Length} characters; at most {Options.MaxCharactersPerText}.", single ? "text" : $"texts[{tooLong}]");
            return null;
        }

        var decision = identifier.Rule;
        foreach (var field in new[] { "threshold", "relative_threshold" })
        {
            if (!root.TryGetProperty(field, out var t)) continue;
            if (t.ValueKind != JsonValueKind.Number || !t.TryGetSingle(out var value) || value is < 0 or > 1)
            {
                problem = ApiResults.Problem(400, "Invalid field", $"\"{field}\" must be a number between 0 and 1.", field);
                return null;
            }
            decision = field == "threshold" ? decision with { Threshold = value } : decision with { RelativeThreshold = value };
        }
        var topK = identifier.Options.TopK;
        if (root.TryGetProperty("top_k", out var k) && (k.ValueKind != JsonValueKind.Number || !k.TryGetInt32(out topK) || topK is < 0 or > Dialects.Count))
        {
            problem = ApiResults.Problem(400, "Invalid field", $"\"top_k\" must be an integer between 0 and {Dialects.Count}.", "top_k");
            return null;
        }
        HashSet<Dialect>? subset = null;
        if (root.TryGetProperty("dialects", out var only))
        {
            if (only.ValueKind != JsonValueKind.Array)
            {
                problem = ApiResults.Problem(400, "Invalid field", "\"dialects\" must be an array of dialect labels.", "dialects");
                return null;
            }
            subset = [];
            foreach (var item in only.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || !TryGetString(item, out var name) || !Dialects.TryParse(name, out var d))
                {
                    problem = ApiResults.Problem(400, "Invalid field", $"\"dialects\" holds '{item}', which is not a dialect.", "dialects");
                    return null;
                }
                subset.Add(d);
            }
            if (subset.Count == 0)
            {
                problem = ApiResults.Problem(400, "Invalid field", "\"dialects\" is empty; leave it out to get all 18.", "dialects");
                return null;
            }
        }
        var preprocessor = TextPreprocessor.FromPreset(identifier.Options.Preprocessing);
        if (root.TryGetProperty("preprocess", out var preprocess))
        {
            var name = preprocess.ValueKind == JsonValueKind.String && TryGetString(preprocess, out var s) ? s.ToLowerInvariant() : null;
            if (name is null || !TextPreprocessor.PresetNames.Contains(name))
            {
                problem = ApiResults.Problem(400, "Invalid field", $"\"preprocess\" must be one of: {string.Join(", ", TextPreprocessor.PresetNames)}.", "preprocess");
                return null;
            }
            preprocessor = TextPreprocessor.FromPreset(name);
        }
        return (texts, decision, topK, subset, preprocessor);
    }

    /// <summary>The dialects the identifier chose for <paramref name="p"/>, as flags in canonical order.</summary>
    private static bool[] Decided(DialectPrediction p)
    {
        var chosen = new bool[Dialects.All.Count];
        foreach (var d in p.Dialects) chosen[(int)d.Dialect] = true;
        return chosen;
    }

    /// <summary>A JSON string, unless it holds an escaped lone surrogate, which has no UTF-16 string to become.</summary>
    internal static bool TryGetString(JsonElement element, out string value)
    {
        try
        {
            value = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = "";
            return false;
        }
    }

    /// <summary>One text's answer. The decision is taken over all 18 dialects (the relative threshold compares with the
    /// top one), then restricted to <paramref name="subset"/>. The prediction was decided with the identifier's rule:
    /// only a request that changes the rule is decided again.</summary>
    private static IdentifyResult Result(DialectIdentifier identifier, string text, DialectPrediction p, DecisionRule decision, int topK, HashSet<Dialect>? subset)
    {
        var dialects = Dialects.All.Where(d => subset is null || subset.Contains(d)).ToArray();
        // A text with nothing to classify gets no dialects, whatever the thresholds.
        var chosen = p.IsEmpty ? new bool[Dialects.All.Count] : decision.Equals(identifier.Rule) ? Decided(p) : decision.Decide(p.Probabilities);
        EmptyTextReason? emptyReason = p.IsEmpty ? p.EmptyReason : null;
        DialectProbability Score(Dialect d) => new(d.Label(), p.Probabilities[(int)d]);
        return new IdentifyResult(
            text,
            dialects.ToDictionary(d => d.Label(), d => p.Probabilities[(int)d]),
            [.. dialects.Where(d => chosen[(int)d]).OrderByDescending(d => p.Probabilities[(int)d]).ThenBy(d => d).Select(Score)],
            [.. dialects.OrderByDescending(d => p.Probabilities[(int)d]).ThenBy(d => d).Take(p.IsEmpty ? 0 : topK).Select(Score)],
            Dialects.Regions.ToDictionary(r => r.EnglishName(), r => p.Regions[(int)r]),
            emptyReason is { } reason ? JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString()) : null);
    }
}
