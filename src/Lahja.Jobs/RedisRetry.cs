using StackExchange.Redis;

namespace Lahja.Jobs;

/// <summary>
/// Retries Redis calls through a lost connection (a restart, a failover, a network blip) with a growing pause,
/// until the connection has been down for longer than the caller's patience. Only idempotent calls go through it.
/// </summary>
internal static class RedisRetry
{
    public static async Task<T> Run<T>(Func<Task<T>> call, TimeSpan patience, Action<string>? log, CancellationToken cancellationToken = default)
    {
        DateTime? failingSince = null;
        var pause = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var result = await call();
                if (failingSince is not null) log?.Invoke("Redis is reachable again.");
                return result;
            }
            catch (Exception e) when (IsTransient(e))
            {
                failingSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - failingSince > patience) throw;
                if (pause == TimeSpan.FromMilliseconds(100)) log?.Invoke($"Redis is unreachable ({e.GetType().Name}); retrying for up to {patience.TotalSeconds:0} s…");
                await Task.Delay(pause, cancellationToken);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    public static Task Run(Func<Task> call, TimeSpan patience, Action<string>? log, CancellationToken cancellationToken = default) =>
        Run(async () => { await call(); return true; }, patience, log, cancellationToken);

    /// <summary>Errors that a later try may not meet: the connection, a timeout, a server still loading its data.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        RedisConnectionException => true,
        RedisTimeoutException => true,
        RedisServerException s => s.Message.StartsWith("LOADING", StringComparison.Ordinal) || s.Message.StartsWith("BUSY", StringComparison.Ordinal)
                                  || s.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal) || s.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal),
        _ => false,
    };
}
