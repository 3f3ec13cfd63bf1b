using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace Lahja.Jobs;

/// <summary>
/// Jobs in one Redis: submit, read status, read results, give up on corrupted results, delete. Workers use
/// <see cref="JobWorker"/>. Thread-safe (one multiplexed connection).
/// </summary>
public sealed class JobStore : IDisposable
{
    private readonly ConnectionMultiplexer _redis;

    private JobStore(RedisEndpoint endpoint, ConnectionMultiplexer redis)
    {
        Endpoint = endpoint;
        _redis = redis;
        Database = redis.GetDatabase();
    }

    /// <summary>The server.</summary>
    public RedisEndpoint Endpoint { get; }

    internal IDatabase Database { get; }

    /// <summary>Connects, checking the credentials with a PING.</summary>
    /// <exception cref="RedisException">The server cannot be reached or refuses the credentials (<see cref="RedisEndpoint.Describe"/> words it).</exception>
    public static async Task<JobStore> ConnectAsync(RedisEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var redis = await ConnectionMultiplexer.ConnectAsync(endpoint.Options.Clone(), TextWriter.Null);
        try
        {
            await redis.GetDatabase().PingAsync();
            return new JobStore(endpoint, redis);
        }
        catch
        {
            redis.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stores <paramref name="spec"/> and enqueues <paramref name="texts"/> in chunks of <see cref="JobSpec.ChunkSize"/>.
    /// Returns the number of texts. If anything fails on the way (a bad input line), the job is removed again.
    /// </summary>
    /// <exception cref="JobException">A job of that name exists.</exception>
    /// <exception cref="InvalidDataException">The input has no texts.</exception>
    public async Task<long> SubmitAsync(JobSpec spec, IEnumerable<string> texts, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(texts);
        var keys = new JobKeys(spec.Name);
        if (!await Database.StringSetAsync(keys.Spec, spec.ToJson(), when: When.NotExists))
        {
            var existing = await GetSpecAsync(spec.Name);
            throw new JobException($"Job '{spec.Name}' already exists (submitted {existing?.Created:u} with model {existing?.Model}); " +
                                   $"collect or delete it first ('lahja jobs delete --job {spec.Name}'), or choose another name.");
        }
        long count = 0;
        var chunks = 0;
        try
        {
            await Database.SetAddAsync(JobKeys.Registry, spec.Name);
            await Database.StreamCreateConsumerGroupAsync(keys.Chunks, JobKeys.Group, "0-0", createStream: true);
            var pending = new List<Task>();
            foreach (var chunk in texts.Chunk(spec.ChunkSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                pending.Add(Database.StreamAddAsync(keys.Chunks, ChunkCodec.ChunkEntry(chunks, chunk)));
                chunks++;
                count += chunk.Length;
                if (pending.Count < 64) continue;
                // Pipelined in groups: bounded memory, and the status shows the enqueued part while it grows.
                pending.Add(Database.HashSetAsync(keys.State, [new("enqueued_chunks", chunks), new("enqueued_texts", count)]));
                await Task.WhenAll(pending);
                pending.Clear();
                progress?.Report(count);
            }
            await Task.WhenAll(pending);
            if (count == 0) throw new InvalidDataException("the input has no texts.");
            await Database.HashSetAsync(keys.State, [new("chunks", chunks), new("texts", count), new("enqueued_chunks", chunks), new("enqueued_texts", count)]);
            progress?.Report(count);
            return count;
        }
        catch
        {
            await DeleteAsync(spec.Name);
            throw;
        }
    }

    /// <summary>The names of every job, sorted.</summary>
    public async Task<IReadOnlyList<string>> ListJobsAsync() =>
        (await Database.SetMembersAsync(JobKeys.Registry)).Select(v => (string)v!).Where(JobKeys.IsValidName).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The spec of job <paramref name="name"/>, or null when there is no such job.</summary>
    public async Task<JobSpec?> GetSpecAsync(string name)
    {
        var keys = new JobKeys(name);
        var json = await Database.StringGetAsync(keys.Spec);
        return json.IsNull ? null : JobSpec.FromJson(json!, name);
    }

    /// <summary>The spec of job <paramref name="name"/>.</summary>
    /// <exception cref="JobException">There is no such job.</exception>
    public async Task<JobSpec> RequireSpecAsync(string name) =>
        await GetSpecAsync(name) ?? throw new JobException($"No job '{name}' in Redis at {Endpoint.Display}" + await KnownJobsHintAsync());

    private async Task<string> KnownJobsHintAsync()
    {
        var jobs = await ListJobsAsync();
        return jobs.Count == 0 ? " (there are no jobs)." : $" (jobs: {string.Join(", ", jobs.Take(10))}{(jobs.Count > 10 ? ", …" : "")}).";
    }

    /// <summary>Where job <paramref name="name"/> stands.</summary>
    /// <exception cref="JobException">There is no such job.</exception>
    public async Task<JobStatus> GetStatusAsync(string name)
    {
        var keys = new JobKeys(name);
        var spec = await RequireSpecAsync(name);
        var stateTask = Database.HashGetAllAsync(keys.State);
        var doneTask = Database.HashLengthAsync(keys.Results);
        var deadTask = Database.HashLengthAsync(keys.DeadIndex);
        var pendingTask = Database.StreamPendingAsync(keys.Chunks, JobKeys.Group);
        var consumersTask = Database.StreamConsumerInfoAsync(keys.Chunks, JobKeys.Group);
        var workersTask = Database.HashGetAllAsync(keys.Workers);
        var timeTask = Database.ExecuteAsync("TIME");
        await Task.WhenAll(stateTask, doneTask, deadTask, pendingTask, consumersTask, workersTask, timeTask);
        var state = stateTask.Result.ToDictionary(e => (string)e.Name!, e => (long)e.Value);
        long? Get(string field) => state.TryGetValue(field, out var v) ? v : null;
        var time = (RedisResult[])timeTask.Result!;
        var now = (long)time[0] * 1000 + (long)time[1] / 1000;

        var pendingByWorker = pendingTask.Result.Consumers?.ToDictionary(c => (string)c.Name!, c => (long)c.PendingMessageCount) ?? [];
        var idle = consumersTask.Result.ToDictionary(c => c.Name, c => c.IdleTimeInMilliseconds);
        var counts = workersTask.Result.ToDictionary(e => (string)e.Name!, e => (long)e.Value);
        var names = counts.Keys.Select(k => k[..k.LastIndexOf(':')]).Concat(pendingByWorker.Keys).Concat(idle.Keys).Distinct().Order(StringComparer.Ordinal);
        var workers = names.Select(n => new WorkerStatus(n, counts.GetValueOrDefault(n + ":chunks"), counts.GetValueOrDefault(n + ":texts"),
            pendingByWorker.GetValueOrDefault(n), idle.TryGetValue(n, out var i) ? i : null)).ToArray();

        var submitted = Get("chunks") is not null;
        return new JobStatus(spec, submitted, Get("chunks") ?? Get("enqueued_chunks") ?? 0, Get("texts") ?? Get("enqueued_texts") ?? 0,
            doneTask.Result, Get("done_texts") ?? 0, pendingTask.Result.PendingMessageCount, deadTask.Result,
            Get("started_ms"), Get("last_done_ms"), now, workers);
    }

    /// <summary>The dead letters of a job, oldest first (at most <paramref name="count"/>).</summary>
    public async Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string name, int count = 20)
    {
        var keys = new JobKeys(name);
        var entries = await Database.StreamRangeAsync(keys.Dead, count: count);
        return entries.Select(e => new DeadLetter(e.Id!,
            int.TryParse((string?)e["chunk"], System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : null,
            (string?)e["reason"] ?? "(no reason recorded)",
            int.TryParse((string?)e["deliveries"], System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : 0,
            (string?)e["worker"] ?? "")).ToArray();
    }

    /// <summary>
    /// The results of chunks 0 … <see cref="JobStatus.TotalChunks"/> − 1 in order: each chunk's predictions, or null
    /// with a reason when it has none. A stored result that cannot be read is moved to the dead-letter stream with the
    /// reason (never dropped silently) and reported as missing.
    /// </summary>
    public async IAsyncEnumerable<ChunkResult> ReadResultsAsync(JobStatus status, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var keys = new JobKeys(status.Spec.Name);
        var options = status.Spec.Options();
        const int batch = 32;
        for (long first = 0; first < status.TotalChunks; first += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fields = Enumerable.Range(0, (int)Math.Min(batch, status.TotalChunks - first)).Select(i => (RedisValue)(first + i)).ToArray();
            var values = await Database.HashGetAsync(keys.Results, fields);
            for (var i = 0; i < values.Length; i++)
            {
                var chunk = (int)(first + i);
                if (values[i].IsNull)
                {
                    yield return new ChunkResult(chunk, null, "no result (queued, in progress or dead)");
                    continue;
                }
                IReadOnlyList<DialectPrediction>? predictions = null;
                string? problem = null;
                try
                {
                    predictions = ChunkCodec.ReadResult(values[i], chunk, options);
                }
                catch (InvalidDataException e)
                {
                    problem = e.Message;
                    await Database.ScriptEvaluateAsync(JobScripts.DeadResult, [keys.Spec, keys.Results, keys.DeadIndex, keys.Dead], [chunk, values[i], "corrupted result: " + problem]);
                }
                yield return new ChunkResult(chunk, predictions, problem is null ? null : "corrupted result, moved to the dead-letter stream: " + problem);
            }
        }
    }

    /// <summary>Deletes every key of job <paramref name="name"/>; false when there was no such job.</summary>
    public async Task<bool> DeleteAsync(string name)
    {
        var keys = new JobKeys(name);
        var existed = await Database.KeyExistsAsync(keys.Spec);
        await Database.KeyDeleteAsync(keys.All);
        await Database.SetRemoveAsync(JobKeys.Registry, name);
        return existed;
    }

    /// <inheritdoc />
    public void Dispose() => _redis.Dispose();
}
