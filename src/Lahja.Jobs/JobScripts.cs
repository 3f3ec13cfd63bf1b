namespace Lahja.Jobs;

/// <summary>
/// The Lua scripts that change a job's state atomically: each one stores or gives up on a chunk and acknowledges
/// it in the same step, so a chunk delivered twice is stored once and a crash can never leave it half done.
/// Every script returns -1 when the job was deleted meanwhile.
/// </summary>
internal static class JobScripts
{
    // Redis TIME in milliseconds, as an integer string (all progress times come from the server's clock, not the workers').
    private const string Now = "local t = redis.call('TIME'); local now = string.format('%.0f', t[1] * 1000 + math.floor(t[2] / 1000))";

    /// <summary>
    /// KEYS: spec, chunks, results, state, workers, dead-index, dead, errors.
    /// ARGV: group, entry id, chunk, result, worker, text count.
    /// Returns 1 when stored, 0 when the chunk had been stored already (delivered twice).
    /// </summary>
    public const string Store = $$"""
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        local stored = 0
        if redis.call('HSETNX', KEYS[3], ARGV[3], ARGV[4]) == 1 then
          stored = 1
          {{Now}}
          redis.call('HINCRBY', KEYS[4], 'done_texts', ARGV[6])
          redis.call('HSETNX', KEYS[4], 'started_ms', now)
          redis.call('HSET', KEYS[4], 'last_done_ms', now)
          redis.call('HINCRBY', KEYS[5], ARGV[5] .. ':chunks', 1)
          redis.call('HINCRBY', KEYS[5], ARGV[5] .. ':texts', ARGV[6])
          local dead = redis.call('HGET', KEYS[6], ARGV[2])
          if dead then
            redis.call('XDEL', KEYS[7], dead)
            redis.call('HDEL', KEYS[6], ARGV[2])
          end
        end
        redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[2], ARGV[2])
        redis.call('HDEL', KEYS[8], ARGV[2])
        return stored
        """;

    /// <summary>
    /// KEYS: spec, chunks, results, dead-index, dead, errors.
    /// ARGV: group, entry id, chunk ('' when unreadable), reason, texts as stored, deliveries, worker.
    /// Returns 1 when moved to the dead-letter stream, 0 when the chunk was stored or dead-lettered already.
    /// </summary>
    public const string DeadLetter = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        local moved = 0
        if (ARGV[3] == '' or redis.call('HEXISTS', KEYS[3], ARGV[3]) == 0) and redis.call('HEXISTS', KEYS[4], ARGV[2]) == 0 then
          local id = redis.call('XADD', KEYS[5], '*', 'chunk', ARGV[3], 'entry', ARGV[2], 'reason', ARGV[4], 'deliveries', ARGV[6], 'worker', ARGV[7], 'texts', ARGV[5])
          redis.call('HSET', KEYS[4], ARGV[2], id)
          moved = 1
        end
        redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[2], ARGV[2])
        redis.call('HDEL', KEYS[6], ARGV[2])
        return moved
        """;

    /// <summary>
    /// KEYS: spec, results, dead-index, dead. ARGV: chunk, the stored result as read, reason.
    /// Moves a corrupted result to the dead-letter stream unless it changed since it was read. Returns 1 when moved.
    /// </summary>
    public const string DeadResult = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
        local id = redis.call('XADD', KEYS[4], '*', 'chunk', ARGV[1], 'entry', 'result:' .. ARGV[1], 'reason', ARGV[3], 'deliveries', '0', 'worker', '', 'texts', ARGV[2])
        redis.call('HSET', KEYS[3], 'result:' .. ARGV[1], id)
        redis.call('HDEL', KEYS[2], ARGV[1])
        return 1
        """;

    /// <summary>KEYS: spec, state. Records when work on the job began (first delivery), by the server's clock.</summary>
    public const string Started = $$"""
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        {{Now}}
        return redis.call('HSETNX', KEYS[2], 'started_ms', now)
        """;
}
