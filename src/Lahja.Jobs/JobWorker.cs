using StackExchange.Redis;

namespace Lahja.Jobs;

/// <summary>
/// A worker: takes chunks from the jobs' streams (new ones, or ones idle longer than <see cref="WorkerOptions.ClaimIdle"/>
/// in a dead worker's hands), predicts them, and stores and acknowledges each result in one script. A chunk that
/// fails <see cref="WorkerOptions.MaxDeliveries"/> times, or cannot be read, goes to the dead-letter stream with its
/// reason. Stops when every job it serves is finished, or when asked to, after the chunk in hand.
/// </summary>
public sealed class JobWorker(JobStore store, ChunkPredictor predictor, WorkerOptions options)
{
    private readonly IDatabase _db = store.Database;
    private readonly Dictionary<string, RedisValue> _cursors = [];
    private readonly Dictionary<string, JobSpec> _specs = [];
    private readonly HashSet<string> _refused = [];
    private readonly HashSet<string> _started = [];
    private readonly HashSet<string> _deleted = [];
    private long _chunks, _texts, _duplicates, _dead, _failures;

    /// <summary>Works until every job it serves is finished (or, with <see cref="WorkerOptions.Follow"/>, until <paramref name="stop"/>).</summary>
    /// <exception cref="JobException">The job named in the options does not exist, was deleted, or needs another model; or no job matches the model.</exception>
    public async Task<WorkerSummary> RunAsync(CancellationToken stop)
    {
        if (options.MaxDeliveries < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxDeliveries, "MaxDeliveries must be at least 1.");
        var pause = TimeSpan.FromMilliseconds(20);
        var next = 0;
        while (!stop.IsCancellationRequested)
        {
            var jobs = await Retry(JobsToServeAsync);
            var worked = false;
            for (var k = 0; k < jobs.Count && !worked; k++)
            {
                var job = jobs[(next + k) % jobs.Count];
                worked = await TakeOneAsync(job);
                if (worked) next = (next + k + 1) % Math.Max(1, jobs.Count);
            }
            if (worked)
            {
                pause = TimeSpan.FromMilliseconds(20);
                continue;
            }
            if (!options.Follow && await Retry(() => AllFinishedAsync(jobs))) break;
            try
            {
                await Task.Delay(pause, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, options.MaxPollPause.Ticks));
        }
        return new WorkerSummary(_chunks, _texts, _duplicates, _dead, _failures, stop.IsCancellationRequested);
    }

    private Task<T> Retry<T>(Func<Task<T>> call) => RedisRetry.Run(call, options.ReconnectPatience, options.Log);

    private async Task<IReadOnlyList<string>> JobsToServeAsync()
    {
        var names = options.Job is { } one ? [one] : await store.ListJobsAsync();
        var served = new List<string>();
        foreach (var name in names)
        {
            if (_refused.Contains(name) || _deleted.Contains(name)) continue;
            if (!_specs.TryGetValue(name, out var spec))
            {
                var found = await store.GetSpecAsync(name);
                if (found is null)
                {
                    if (options.Job is not null) throw new JobException($"No job '{name}' in Redis at {store.Endpoint.Display} (deleted, or never submitted).");
                    continue;
                }
                _specs[name] = spec = found;
            }
            if (spec.ModelSha256 != options.ModelSha256)
            {
                var message = $"job '{name}' was submitted for model {spec.Model} ({spec.ModelSha256}); this worker's model is {options.ModelSha256}: refusing it.";
                if (options.Job is not null) throw new JobException(char.ToUpperInvariant(message[0]) + message[1..] + " Start the worker with the job's model (--model).");
                options.Log?.Invoke(message);
                _refused.Add(name);
                continue;
            }
            served.Add(name);
        }
        if (served.Count == 0 && _refused.Count > 0 && !options.Follow)
            throw new JobException($"No job for this worker's model ({options.ModelSha256}): {string.Join(", ", _refused.Order(StringComparer.Ordinal))} need another model.");
        return served;
    }

    private async Task<bool> AllFinishedAsync(IReadOnlyList<string> jobs)
    {
        foreach (var job in jobs)
        {
            var spec = await store.GetSpecAsync(job);
            if (spec is null)
            {
                if (options.Job is not null) throw new JobException($"Job '{job}' was deleted.");
                continue;
            }
            if (!(await store.GetStatusAsync(job)).IsFinished) return false;
        }
        return true;
    }

    /// <summary>Takes and handles one chunk of <paramref name="job"/>; false when it had none to give.</summary>
    private async Task<bool> TakeOneAsync(string job)
    {
        var keys = new JobKeys(job);
        var spec = _specs[job];
        var (entry, deliveries) = await Retry(async () =>
        {
            // First the chunks a dead (or stuck) worker left behind, then new ones.
            var cursor = _cursors.GetValueOrDefault(job, "0-0");
            var (next, claimed) = await AutoClaimAsync(keys, cursor);
            _cursors[job] = next;
            if (claimed is { } taken) return (taken, await DeliveriesAsync(keys, taken.Id));
            var fresh = await _db.StreamReadGroupAsync(keys.Chunks, JobKeys.Group, options.Name, ">", 1);
            return fresh.Length > 0 ? (fresh[0], 1) : (default(StreamEntry), 0);
        });
        if (deliveries == 0) return false;
        if (_started.Add(job)) await Retry(() => _db.ScriptEvaluateAsync(JobScripts.Started, [keys.Spec, keys.State]));

        string id = entry.Id!;
        if (deliveries > options.MaxDeliveries)
        {
            var lastError = await Retry(() => _db.HashGetAsync(keys.Errors, id));
            await DeadLetterAsync(keys, entry, deliveries,
                $"delivered {deliveries} times without being acknowledged (max {options.MaxDeliveries})" + (lastError.IsNull ? "; its workers stopped or died on it" : $"; last error: {lastError}"));
            return true;
        }
        int chunk;
        string[] texts;
        try
        {
            (chunk, texts) = ChunkCodec.ReadChunk(entry, spec.ChunkSize);
        }
        catch (InvalidDataException e)
        {
            await DeadLetterAsync(keys, entry, deliveries, "corrupted chunk: " + e.Message);
            return true;
        }

        string result;
        try
        {
            result = ChunkCodec.Result(texts, predictor(spec, texts));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _failures++;
            var error = $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
            options.Log?.Invoke($"job '{job}', chunk {chunk}: failed on delivery {deliveries} of {options.MaxDeliveries}: {error}");
            if (deliveries >= options.MaxDeliveries)
                await DeadLetterAsync(keys, entry, deliveries, $"failed {deliveries} times (max {options.MaxDeliveries}); last error: {error}");
            else // left pending: after --claim-idle any worker (this one too) takes it again
                await Retry(() => _db.HashSetAsync(keys.Errors, id, error));
            return true;
        }

        // The chunk in hand is stored even when a stop was requested meanwhile: the store is idempotent, so retrying
        // through a Redis restart cannot store it twice.
        var stored = (long)await Retry(() => _db.ScriptEvaluateAsync(JobScripts.Store,
            [keys.Spec, keys.Chunks, keys.Results, keys.State, keys.Workers, keys.DeadIndex, keys.Dead, keys.Errors],
            [JobKeys.Group, id, chunk, result, options.Name, texts.Length]));
        if (stored < 0) Deleted(job);
        else if (stored == 0) _duplicates++;
        else
        {
            _chunks++;
            _texts += texts.Length;
        }
        return true;
    }

    /// <summary>
    /// XAUTOCLAIM … COUNT 1: the next scan cursor and the entry taken over, if any (a missing entry is null:
    /// StackExchange.Redis's default StreamEntry does not say IsNull).
    /// </summary>
    private async Task<(RedisValue Next, StreamEntry? Entry)> AutoClaimAsync(JobKeys keys, RedisValue cursor)
    {
        var reply = (RedisResult[])(await _db.ExecuteAsync("XAUTOCLAIM", keys.Chunks, JobKeys.Group, options.Name, (long)options.ClaimIdle.TotalMilliseconds, cursor, "COUNT", 1))!;
        var next = (RedisValue)reply[0];
        var entries = (RedisResult[])reply[1]!;
        foreach (var item in entries)
        {
            if (item.IsNull || item.Length < 2) continue; // an entry deleted while pending (Redis 6.2 answers nil)
            var id = (RedisValue)item[0];
            if (id.IsNullOrEmpty) continue;
            var flat = item[1].IsNull ? [] : (RedisResult[])item[1]!;
            var values = new NameValueEntry[flat.Length / 2];
            for (var i = 0; i < values.Length; i++) values[i] = new NameValueEntry((RedisValue)flat[2 * i], (RedisValue)flat[2 * i + 1]);
            return (next, new StreamEntry(id, values));
        }
        return (next, null);
    }

    /// <summary>How many times the pending entry <paramref name="id"/> was delivered (XPENDING's extended form).</summary>
    private async Task<long> DeliveriesAsync(JobKeys keys, RedisValue id)
    {
        // [[id, consumer, idle ms, deliveries]]; an entry no longer pending counts as over the limit (it is then only acknowledged).
        var reply = (RedisResult[])(await _db.ExecuteAsync("XPENDING", keys.Chunks, JobKeys.Group, id, id, 1))!;
        return reply.Length > 0 ? (long)((RedisResult[])reply[0]!)[3] : options.MaxDeliveries + 1L;
    }

    private async Task DeadLetterAsync(JobKeys keys, StreamEntry entry, long deliveries, string reason)
    {
        var index = ChunkCodec.IndexOf(entry);
        var moved = (long)await Retry(() => _db.ScriptEvaluateAsync(JobScripts.DeadLetter,
            [keys.Spec, keys.Chunks, keys.Results, keys.DeadIndex, keys.Dead, keys.Errors],
            [JobKeys.Group, entry.Id, index < 0 ? "" : index, reason, entry[ChunkCodec.TextsField].IsNull ? "" : entry[ChunkCodec.TextsField], deliveries, options.Name]));
        if (moved < 0) Deleted(keys.Name);
        if (moved <= 0) return;
        _dead++;
        options.Log?.Invoke($"job '{keys.Name}', chunk {(index < 0 ? "?" : index)} (entry {entry.Id}): moved to the dead-letter stream: {reason}");
    }

    private void Deleted(string job)
    {
        if (options.Job is not null) throw new JobException($"Job '{job}' was deleted while this worker worked on it.");
        _specs.Remove(job);
        _deleted.Add(job); // never again in this run
    }
}
