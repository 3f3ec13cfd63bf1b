namespace Lahja.Server;

// The JSON shapes of the interoperable routes (TEI's POST /predict and GET /info, the Inference API's POST /), for the
// OpenAPI document and the responses. The handlers parse requests by hand, as /v1/identify's does.

/// <summary>The body of TEI's <c>POST /predict</c>.</summary>
/// <param name="Inputs">A string, or a batch of one-string arrays: <c>[["a"], ["b"]]</c> (TEI's pairs are refused: the model reads one text).</param>
/// <param name="Truncate">True: cut texts longer than the model's maximum length; false (TEI's default): refuse them (413).</param>
/// <param name="RawScores">True: logits, recovered from the sigmoid probabilities as log(p / (1 − p)); false: probabilities.</param>
public sealed record TeiPredictRequest(object Inputs, bool? Truncate = null, bool? RawScores = null);

/// <summary>One label's score, as TEI and the Inference API answer it.</summary>
/// <param name="Score">The dialect's sigmoid probability (or its logit with <c>raw_scores</c> / <c>function_to_apply: none</c>).</param>
/// <param name="Label">The dialect's label (<c>Egypt</c>, <c>Saudi_Arabia</c>, …).</param>
public sealed record LabelScore(float Score, string Label);

/// <summary>TEI's error shape.</summary>
/// <param name="Error">What went wrong.</param>
/// <param name="ErrorType">TEI's kind: <c>validation</c>, <c>overloaded</c>, <c>backend</c>.</param>
public sealed record TeiError(string Error, string ErrorType);

/// <summary>TEI's <c>GET /info</c>.</summary>
/// <param name="ModelId">The served model (its directory).</param>
/// <param name="ModelSha">SHA-256 of the weights file, or null.</param>
/// <param name="ModelDtype">The weights' number type.</param>
/// <param name="ModelType">TEI's model kind: a classifier with its labels.</param>
/// <param name="MaxConcurrentRequests">Most texts queued at once.</param>
/// <param name="MaxInputLength">Longest input in tokens.</param>
/// <param name="MaxBatchTokens">Most tokens in one model batch (texts × maximum length).</param>
/// <param name="MaxBatchRequests">Most texts merged into one model batch.</param>
/// <param name="MaxClientBatchSize">Most texts in one request.</param>
/// <param name="AutoTruncate">False: a text longer than the maximum length is refused unless <c>truncate</c>.</param>
/// <param name="TokenizationWorkers">Threads that tokenize (the requests' own).</param>
/// <param name="Version">Lahja's version.</param>
/// <param name="Sha">Null (TEI's git commit).</param>
/// <param name="DockerLabel">Null (TEI's image label).</param>
public sealed record TeiInfo(
    string ModelId, string? ModelSha, string ModelDtype, TeiModelType ModelType, int MaxConcurrentRequests, int MaxInputLength, int MaxBatchTokens,
    int? MaxBatchRequests, int MaxClientBatchSize, bool AutoTruncate, int TokenizationWorkers, string Version, string? Sha, string? DockerLabel);

/// <summary>TEI's model kind: <c>{"classifier": {"id2label", "label2id"}}</c>.</summary>
/// <param name="Classifier">The labels.</param>
public sealed record TeiModelType(TeiClassifier Classifier);

/// <summary>A classifier's labels, as a model's config.json holds them.</summary>
/// <param name="Id2label">Output index (as a string) to label.</param>
/// <param name="Label2id">Label to output index.</param>
public sealed record TeiClassifier(IReadOnlyDictionary<string, string> Id2label, IReadOnlyDictionary<string, int> Label2id);

/// <summary>The body of the Inference API's <c>POST /</c> (text classification).</summary>
/// <param name="Inputs">A text or an array of texts.</param>
/// <param name="Parameters">Options.</param>
public sealed record InferenceRequest(object Inputs, InferenceParameters? Parameters = null);

/// <summary>The Inference API's text-classification parameters.</summary>
/// <param name="TopK">How many labels to answer per text, most probable first (default: all 18).</param>
/// <param name="FunctionToApply"><c>sigmoid</c> (the model's, default), <c>softmax</c> (over the logits) or <c>none</c> (logits).</param>
public sealed record InferenceParameters(int? TopK = null, string? FunctionToApply = null);

/// <summary>The Inference API's error shape.</summary>
/// <param name="Error">What went wrong.</param>
public sealed record InferenceError(string Error);
