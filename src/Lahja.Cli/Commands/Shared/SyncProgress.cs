namespace Lahja.Cli.Commands.Shared;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the caller's thread, at once: <see cref="Progress{T}"/> posts to the
/// thread pool, so its lines could come after the command's last line, or out of order.
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
