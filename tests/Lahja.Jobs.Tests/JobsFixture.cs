using System.Diagnostics;
using StackExchange.Redis;

namespace Lahja.Jobs.Tests;

/// <summary>Shared helpers: the tiny checkpoint, inputs, the CLI in-process and as a child process.</summary>
internal static class JobsFixture
{
    public static string Model { get; } = Checkpoint("f32");

    /// <summary>A checkpoint with other weights (F16), for a worker with the wrong model.</summary>
    public static string OtherModel { get; } = Checkpoint("f16");

    private static string Checkpoint(string name) => Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", name);

    private static readonly string[] Words = ["شو", "عم", "تعمل", "هلق", "كيفك", "شلونك", "حبيبي", "ازيك", "يا", "زول", "واش", "راك", "برشا", "ليش", "هيك", "والله", "منيح", "بدي"];

    /// <summary><paramref name="count"/> texts of 1–12 words, the same for a seed.</summary>
    public static string[] Texts(int count, int seed = 7)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => $"{i} " + string.Join(' ', Enumerable.Range(0, random.Next(1, 12)).Select(_ => Words[random.Next(Words.Length)]))).ToArray();
    }

    public static (int ExitCode, string Out, string Error) Cli(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = Lahja.Cli.CliApp.Run(args, new Lahja.Cli.CliIO(new StringReader(""), output, error));
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The CLI as built in src/, started as a child process.</summary>
    public static Process StartCli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        start.ArgumentList.Add(Path.Combine(ReferenceTools.RepositoryRoot, "src", "Lahja.Cli", "bin", configuration, "net10.0", "Lahja.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    /// <summary>Chunks delivered to <paramref name="worker"/> and not acknowledged.</summary>
    public static async Task<long> PendingOf(IDatabase db, string job, string worker)
    {
        var pending = await db.StreamPendingAsync(new JobKeys(job).Chunks, JobKeys.Group);
        return pending.Consumers?.FirstOrDefault(c => c.Name == worker).PendingMessageCount ?? 0;
    }

    /// <summary>
    /// Collects <paramref name="job"/> to jsonl and checks it against offline <c>predict</c> of <paramref name="input"/>:
    /// every input exactly once, in input order, |Δp| ≤ 1e-6. <paramref name="redis"/> are the <c>--redis</c> arguments.
    /// </summary>
    public static void AssertCollectedEqualsOfflinePredict(string work, string job, string input, params string[] redis)
    {
        var collected = Path.Combine(work, "collected.jsonl");
        var (code, _, error) = Cli(["jobs", "collect", .. redis, "--job", job, "-o", collected, "-f", "jsonl"]);
        Assert.True(code == 0, error);
        var offline = Path.Combine(work, "offline.jsonl");
        (code, _, error) = Cli("predict", "-m", Model, "-i", input, "-f", "jsonl", "-o", offline);
        Assert.True(code == 0, error);
        var jobs = ReadJsonl(collected);
        var local = ReadJsonl(offline);
        Assert.Equal(File.ReadAllLines(input), jobs.Select(j => j.Text));
        Assert.Equal(local.Length, jobs.Length);
        var worst = jobs.Zip(local).Max(p => p.First.Probabilities.Zip(p.Second.Probabilities).Max(q => Math.Abs(q.First - q.Second)));
        Assert.True(worst <= 1e-6, $"largest |Δp| {worst}");
    }

    /// <summary>The probabilities and texts of a jsonl prediction file, in order.</summary>
    public static (string Text, float[] Probabilities)[] ReadJsonl(string path) =>
        File.ReadLines(path).Select(line =>
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            return (doc.RootElement.GetProperty("text").GetString()!,
                doc.RootElement.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray());
        }).ToArray();
}
