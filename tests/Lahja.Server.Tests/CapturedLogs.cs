using Microsoft.Extensions.Logging;

namespace Lahja.Server.Tests;

/// <summary>A logger provider that keeps every entry that passes the server's filters, for tests of what gets logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly List<Entry> _entries = [];

    /// <summary>One log entry: its category, level, formatted message and exception (null when none).</summary>
    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}: {Message}{(Exception is null ? "" : "\n" + Exception)}";
    }

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries) return [.. _entries];
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._entries) owner._entries.Add(new Entry(category, logLevel, formatter(state, exception), exception));
        }
    }
}
