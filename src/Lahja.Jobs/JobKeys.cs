using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Lahja.Jobs;

/// <summary>
/// The Redis keys of one job, all under <c>lahja:job:{NAME}:</c>. The braces are a Redis Cluster hash tag: every
/// key of a job lives in one slot, so one script can touch them together.
/// </summary>
public sealed partial class JobKeys
{
    /// <summary>The set of job names, so workers without <c>--job</c> find every job.</summary>
    public static readonly RedisKey Registry = "lahja:jobs";

    /// <summary>The consumer group of the chunk stream, shared by all workers.</summary>
    public const string Group = "workers";

    /// <summary>Keys of the job <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not a safe job name (see <see cref="IsValidName"/>).</exception>
    public JobKeys(string name)
    {
        if (!IsValidName(name))
            throw new ArgumentException($"'{name}' is not a valid job name: use 1 to 100 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.");
        Name = name;
        var prefix = $"lahja:job:{{{name}}}:";
        Spec = prefix + "spec";
        State = prefix + "state";
        Chunks = prefix + "chunks";
        Results = prefix + "results";
        Dead = prefix + "dead";
        DeadIndex = prefix + "dead-index";
        Errors = prefix + "errors";
        Workers = prefix + "workers";
    }

    /// <summary>True for names made of ASCII letters, digits, '.', '_' and '-' (1–100, not starting with a punctuation mark).</summary>
    public static bool IsValidName(string? name) => name is not null && SafeName().IsMatch(name);

    /// <summary>The job's name.</summary>
    public string Name { get; }

    /// <summary>String: the job's <see cref="JobSpec"/> as JSON, written once (its existence is the job's).</summary>
    public RedisKey Spec { get; }

    /// <summary>Hash: totals once submitted (chunks, texts), and progress times and counters.</summary>
    public RedisKey State { get; }

    /// <summary>Stream of chunks waiting or in progress (acknowledged ones are deleted), with the consumer group <see cref="Group"/>.</summary>
    public RedisKey Chunks { get; }

    /// <summary>Hash: chunk index → its texts and probabilities.</summary>
    public RedisKey Results { get; }

    /// <summary>Stream: the dead letters (chunks or results given up on), each with its reason and its texts.</summary>
    public RedisKey Dead { get; }

    /// <summary>Hash: chunk stream entry id (or <c>result:CHUNK</c>) → its dead letter's id: one dead letter per chunk.</summary>
    public RedisKey DeadIndex { get; }

    /// <summary>Hash: chunk stream entry id → the last error a worker met on it.</summary>
    public RedisKey Errors { get; }

    /// <summary>Hash: <c>WORKER:chunks</c> and <c>WORKER:texts</c> → counts done by each worker.</summary>
    public RedisKey Workers { get; }

    /// <summary>Every key of the job, for deletion.</summary>
    public RedisKey[] All => [Spec, State, Chunks, Results, Dead, DeadIndex, Errors, Workers];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex SafeName();
}
