using System.Text;
using Lahja;
using Lahja.Onnx;

// Arabic on any console, Windows' included.
Console.OutputEncoding = new UTF8Encoding(false);

// The model: a checkpoint directory, or a Hugging Face Hub id (downloaded once into the Hub cache).
var model = args.FirstOrDefault() ?? Environment.GetEnvironmentVariable("LAHJA_MODEL") ?? "AHAAM/B2BERT";
string[] texts = args.Length > 1 ? args[1..] : ["شو عم تعمل هلق", "ازيك عامل ايه النهارده"];

// One identifier per model, shared: it is thread-safe. The engine (ONNX Runtime) comes from Lahja.Onnx.
using var identifier = DialectIdentifier.Load(model, new DialectIdentifierOptions { Engine = new OnnxEngineFactory() });
foreach (var prediction in identifier.Predict(texts))
    Console.WriteLine($"{prediction.Text}\t{string.Join(", ", prediction.Top.Select(d => $"{d.Label} {d.Probability:0.00}"))}");
