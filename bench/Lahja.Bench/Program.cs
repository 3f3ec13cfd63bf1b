using System.Diagnostics;
using System.Text.Json;
using Lahja;
using Lahja.Text;

// Lahja's side of the benchmarks in bench/run.sh. One thread, warm-up pass first, then timed passes.
//   tokenize   --model DIR --input FILE.jsonl [--repeat N]   tokens per second (pieces + [CLS]/[SEP])
//   preprocess --input FILE.jsonl [--repeat N]              lines per second of the b2bert preset
//   predict    --model DIR --input FILE.jsonl [--threads 2] [--batch-size 32] [--no-sort]
//              texts per second of DialectIdentifier.Predict end to end (preprocessing, tokenization, model);
//              --max-batch-tokens N|none (default: the library's)
//              --engine onnx|torch (default: the library's default, ONNX), --precision fp32|int8, --weight-bits 8|7,
//              --device cpu|cuda
//   quantization --model DIR --input FILE.jsonl [--threads 2] [--weight-bits 8] [--batch-size 32] [--max-batch-tokens N|none]
//              int8 vs fp32 (ONNX engine) on the texts: max and mean |Δp|, and the share of decisions (text × dialect,
//              at the model's own thresholds) that change
//   batch-cost --model DIR --input FILE.jsonl [--threads 2]
//              milliseconds per forward pass of the engine alone for 1–32 rows × 8–128 tokens (the cost model behind
//              BatchPlanner.CostBased: a fixed cost per pass plus a cost per padded token)
//   train-step --model DIR [--threads 2] [--batch-size 32] [--length 64] [--steps 20]
//              examples per second of one training step (forward, BCE with logits, backward, AdamW), no dropout,
//              the same work as tools/reference/bert_reference.py train-bench
var mode = args.Length > 0 ? args[0] : throw new ArgumentException("usage: tokenize|preprocess --input FILE.jsonl [--model DIR] [--repeat N]");
string Arg(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"{name} is required");
}
if (mode == "train-step")
{
    TrainStep.Run(Arg("--model"), int.Parse(Arg("--threads", "2")), int.Parse(Arg("--batch-size", "32")), int.Parse(Arg("--length", "64")), int.Parse(Arg("--steps", "20")));
    return;
}
var texts = File.ReadLines(Arg("--input")).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<string>(l)!).ToArray();
var repeat = int.Parse(Arg("--repeat", "20"));

switch (mode)
{
    case "tokenize":
    {
        var tokenizer = BertTokenizer.FromDirectory(Arg("--model"));
        long Pass() { long n = 0; foreach (var t in texts) n += tokenizer.Encode(t, maxLength: null).Count; return n; }
        Pass();
        var watch = Stopwatch.StartNew();
        long tokens = 0;
        for (var r = 0; r < repeat; r++) tokens += Pass();
        watch.Stop();
        Console.WriteLine(JsonSerializer.Serialize(new { impl = "lahja", mode, texts = texts.Length, repeat, tokens, seconds = watch.Elapsed.TotalSeconds, per_second = tokens / watch.Elapsed.TotalSeconds }));
        break;
    }
    case "preprocess":
    {
        var preprocessor = TextPreprocessor.B2Bert;
        void Pass() { foreach (var t in texts) preprocessor.Process(t); }
        Pass();
        var watch = Stopwatch.StartNew();
        for (var r = 0; r < repeat; r++) Pass();
        watch.Stop();
        var lines = (long)texts.Length * repeat;
        Console.WriteLine(JsonSerializer.Serialize(new { impl = "lahja", mode, texts = texts.Length, repeat, lines, seconds = watch.Elapsed.TotalSeconds, per_second = lines / watch.Elapsed.TotalSeconds }));
        break;
    }
    case "predict":
    {
        var options = new DialectIdentifierOptions
        {
            Threads = int.Parse(Arg("--threads", "2")),
            BatchSize = int.Parse(Arg("--batch-size", "32")),
            MaxBatchTokens = Arg("--max-batch-tokens", "") switch { "" => DialectIdentifierOptions.DefaultMaxBatchTokens, "none" => null, var budget => int.Parse(budget) },
            SortByLength = !args.Contains("--no-sort"),
            Engine = EngineFromArguments(),
        };
        using var identifier = DialectIdentifier.Load(Arg("--model"), options);
        double loadPeak;
        using (var loaded = Process.GetCurrentProcess()) loadPeak = loaded.PeakWorkingSet64 / 1048576.0;
        identifier.Predict(texts.Take(options.BatchSize).ToArray()); // warm-up
        var watch = Stopwatch.StartNew();
        identifier.Predict(texts);
        watch.Stop();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            impl = "lahja", engine = Arg("--engine", "onnx"), precision = Arg("--precision", "fp32"), sorted = options.SortByLength, texts = texts.Length, seconds = watch.Elapsed.TotalSeconds,
            per_second = texts.Length / watch.Elapsed.TotalSeconds, peak_rss_mb = self.PeakWorkingSet64 / 1048576.0,
            // Peak RSS when the model had loaded, before any pass: what loading costs beyond the weights.
            load_peak_rss_mb = loadPeak,
            // From process start to here: runtime start, model load (and graph build), warm-up and the timed pass.
            process_seconds = (DateTime.Now - self.StartTime).TotalSeconds,
        }));
        break;
    }
    case "batch-cost":
    {
        // Seconds per forward pass of the engine alone for batch sizes × padded lengths: the cost model behind
        // DialectIdentifier's length-aware batching (BatchPlanner).
        var model = Arg("--model");
        var tokenizer = BertTokenizer.FromDirectory(model);
        using var engine = Lahja.Torch.TorchDialectEngine.Load(model, Lahja.Checkpoints.BertConfig.Load(Path.Combine(model, "config.json")), int.Parse(Arg("--threads", "2")));
        var longText = string.Join(" ", texts);
        foreach (var length in new[] { 8, 16, 32, 64, 128 })
            foreach (var size in new[] { 1, 2, 4, 8, 16, 32 })
            {
                var encoding = tokenizer.Encode(longText, length);
                var batch = tokenizer.Pad(Enumerable.Repeat(encoding, size).ToArray());
                engine.PredictProbabilities(batch);
                var passes = Math.Max(2, 2048 / (size * length));
                var watch = Stopwatch.StartNew();
                for (var p = 0; p < passes; p++) engine.PredictProbabilities(batch);
                var seconds = watch.Elapsed.TotalSeconds / passes;
                Console.WriteLine(JsonSerializer.Serialize(new { length, size, ms = seconds * 1000, us_per_token = seconds * 1e6 / (size * length) }));
            }
        break;
    }
    case "quantization":
    {
        var threads = int.Parse(Arg("--threads", "2"));
        var bits = int.Parse(Arg("--weight-bits", "8"));
        // int8 activations share one scale per batch (DynamicQuantizeLinear): the batch size changes the error.
        var batchSize = int.Parse(Arg("--batch-size", "32"));
        int? budget = Arg("--max-batch-tokens", "") switch { "" => DialectIdentifierOptions.DefaultMaxBatchTokens, "none" => null, var n => int.Parse(n) };
        using var fp32 = DialectIdentifier.Load(Arg("--model"), new DialectIdentifierOptions { Threads = threads, BatchSize = batchSize, MaxBatchTokens = budget, Engine = new Lahja.Onnx.OnnxEngineFactory(Lahja.Onnx.OnnxPrecision.Fp32) });
        using var int8 = DialectIdentifier.Load(Arg("--model"), new DialectIdentifierOptions { Threads = threads, BatchSize = batchSize, MaxBatchTokens = budget, Engine = new Lahja.Onnx.OnnxEngineFactory(Lahja.Onnx.OnnxPrecision.Int8, bits) });
        var a = fp32.Predict(texts);
        var b = int8.Predict(texts);
        double max = 0, sum = 0;
        long flipped = 0, textsChanged = 0;
        for (var i = 0; i < texts.Length; i++)
        {
            var da = fp32.Options.Decide(a[i].Probabilities);
            var db = int8.Options.Decide(b[i].Probabilities);
            var changed = false;
            for (var d = 0; d < Dialects.Count; d++)
            {
                var delta = Math.Abs(a[i].Probabilities[d] - b[i].Probabilities[d]);
                max = Math.Max(max, delta);
                sum += delta;
                if (da[d] != db[d]) { flipped++; changed = true; }
            }
            if (changed) textsChanged++;
        }
        var decisions = (long)texts.Length * Dialects.Count;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            mode, weight_bits = bits, batch_size = batchSize, max_batch_tokens = budget, texts = texts.Length, max_abs_dp = max, mean_abs_dp = sum / decisions,
            flipped_decisions = flipped, flipped_share = (double)flipped / decisions, texts_changed = textsChanged,
        }));
        break;
    }
    default:
        throw new ArgumentException($"unknown mode '{mode}'");
}

IDialectEngineFactory EngineFromArguments()
{
    var precision = Arg("--precision", "fp32") == "int8" ? Lahja.Onnx.OnnxPrecision.Int8 : Lahja.Onnx.OnnxPrecision.Fp32;
    return Arg("--engine", "onnx") switch
    {
        "torch" when precision == Lahja.Onnx.OnnxPrecision.Fp32 => new Lahja.Torch.TorchEngineFactory(),
        "onnx" => new Lahja.Onnx.OnnxEngineFactory(precision, int.Parse(Arg("--weight-bits", "8")),
            Arg("--device", "cpu") == "cuda" ? Lahja.Onnx.OnnxDevice.Cuda : Lahja.Onnx.OnnxDevice.Cpu),
        var other => throw new ArgumentException($"--engine {other} --precision {precision}: not a combination the bench runs"),
    };
}
