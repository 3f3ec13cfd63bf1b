namespace Lahja.Server;

// The JSON shapes of the API. The handler parses requests by hand (so each error can name its field); these records
// describe the same shapes for the OpenAPI document and are what responses are serialized from.

/// <summary>The body of <c>POST /v1/identify</c>: give <c>text</c> or <c>texts</c>.</summary>
/// <param name="Text">One text.</param>
/// <param name="Texts">Several texts (at most the server's limit per request).</param>
/// <param name="Threshold">Decision threshold, 0 to 1, as <c>lahja predict --threshold</c> (default: the model's; per-dialect thresholds from its lahja.json still apply to their dialects).</param>
/// <param name="RelativeThreshold">A dialect also needs this fraction of the top dialect's probability, 0 to 1, as <c>lahja predict --relative-threshold</c> (default: the model's, else 0).</param>
/// <param name="TopK">How many top dialects to list, 0 to 18 (default 3).</param>
/// <param name="Preprocess">Preprocessing preset: <c>b2bert</c> or <c>none</c> (default: the server's).</param>
/// <param name="Dialects">Restrict the answer to these dialects (labels like <c>Egypt</c> or ISO codes like <c>EG</c>).</param>
public sealed record IdentifyRequest(
    string? Text = null, IReadOnlyList<string>? Texts = null, float? Threshold = null, float? RelativeThreshold = null, int? TopK = null,
    string? Preprocess = null, IReadOnlyList<string>? Dialects = null);

/// <summary>The answer of <c>POST /v1/identify</c>: one result per text, in request order.</summary>
/// <param name="Results">The results.</param>
public sealed record IdentifyResponse(IReadOnlyList<IdentifyResult> Results);

/// <summary>The prediction for one text.</summary>
/// <param name="Text">The text as sent.</param>
/// <param name="Probabilities">Probability of each dialect (all 18, or the requested subset), in label order.</param>
/// <param name="Dialects">The predicted dialects (probability at or above the threshold), most probable first.</param>
/// <param name="Top">The <c>top_k</c> most probable dialects.</param>
/// <param name="Regions">Probability of each region (the largest of its dialects').</param>
/// <param name="EmptyReason">Null, or why the text had nothing to classify (then no dialects and no top; the probabilities are the model's for an empty input and mean nothing):
/// <c>empty_text</c> (empty or whitespace) or <c>nothing_after_preprocessing</c>.</param>
public sealed record IdentifyResult(
    string Text, IReadOnlyDictionary<string, float> Probabilities, IReadOnlyList<DialectProbability> Dialects,
    IReadOnlyList<DialectProbability> Top, IReadOnlyDictionary<string, double> Regions, string? EmptyReason = null);

/// <summary>A dialect and its probability.</summary>
/// <param name="Dialect">The dialect's label (<c>Saudi_Arabia</c>, …).</param>
/// <param name="Probability">Its probability.</param>
public sealed record DialectProbability(string Dialect, float Probability);

/// <summary>One of the 18 dialects, as <c>GET /v1/dialects</c> lists them.</summary>
/// <param name="Index">Position in the probability vector.</param>
/// <param name="Label">The label used in requests and answers.</param>
/// <param name="English">English name of the country.</param>
/// <param name="Arabic">Arabic name of the country.</param>
/// <param name="Iso">ISO 3166-1 alpha-2 code.</param>
/// <param name="Region">Region (English name).</param>
/// <param name="RegionArabic">Region (Arabic name).</param>
public sealed record DialectInfo(int Index, string Label, string English, string Arabic, string Iso, string Region, string RegionArabic);

/// <summary>What <c>GET /v1/model</c> tells about the loaded model and the server's limits.</summary>
/// <param name="Directory">The checkpoint directory.</param>
/// <param name="Weights">SHA-256 of the weights file.</param>
/// <param name="Labels">How the model's outputs map to the dialects.</param>
/// <param name="Threshold">The default threshold.</param>
/// <param name="DialectThresholds">Per-dialect thresholds from the model's <c>lahja.json</c>, if any.</param>
/// <param name="RelativeThreshold">The default relative threshold (0: off).</param>
/// <param name="Preprocessing">The default preprocessing preset.</param>
/// <param name="PreprocessingPresets">Presets a request may name in <c>preprocess</c>.</param>
/// <param name="MaxLength">Longest input in tokens.</param>
/// <param name="Dialects">The 18 labels in output order.</param>
/// <param name="Limits">Request limits.</param>
/// <param name="Batching">How concurrent requests are merged into forward passes.</param>
/// <param name="Description">What the model is and how good, from its <c>lahja.json</c> (null when it says nothing).</param>
public sealed record ModelDescription(
    string Directory, string? Weights, string Labels, float Threshold, IReadOnlyDictionary<string, float>? DialectThresholds, float RelativeThreshold,
    string Preprocessing, IReadOnlyList<string> PreprocessingPresets, int MaxLength, IReadOnlyList<string> Dialects, RequestLimits Limits,
    BatchingDescription Batching, string? Description);

/// <summary>The limits a request must keep.</summary>
/// <param name="MaxTextsPerRequest">Most texts in one request.</param>
/// <param name="MaxCharactersPerText">Most characters in one text.</param>
/// <param name="MaxBodyBytes">Largest body in bytes.</param>
/// <param name="RequestTimeoutMilliseconds">How long a request may take before it is answered 504.</param>
public sealed record RequestLimits(int MaxTextsPerRequest, int MaxCharactersPerText, long MaxBodyBytes, long RequestTimeoutMilliseconds);

/// <summary>How concurrent requests are merged and run.</summary>
/// <param name="MaxPoolTexts">Most texts of concurrent requests in the pool that forward passes are chosen from.</param>
/// <param name="MaxBatchTexts">The first name of <c>max_pool_texts</c>, same value (kept for clients that read it).</param>
/// <param name="MaxPassTexts">Most texts in one forward pass.</param>
/// <param name="MaxPassTokens">Most padded tokens in a forward pass of more than one text (texts × the longest); null: no budget.</param>
/// <param name="PassOverheadTokens">The measured fixed cost of a forward pass in tokens, by which the pool is cut into passes; null: fixed passes.</param>
/// <param name="MaxWaitMilliseconds">Longest wait for more requests to join a pass; null: automatic.</param>
public sealed record BatchingDescription(int MaxPoolTexts, int MaxBatchTexts, int MaxPassTexts, int? MaxPassTokens, double? PassOverheadTokens, long? MaxWaitMilliseconds);
