using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Lahja.Distillation;

/// <summary>A cached teacher answer.</summary>
/// <param name="Labels">The 18 labels, or null when the row failed.</param>
/// <param name="AnswerHash">Hash of the raw answer.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record CachedAnswer(bool[]? Labels, string AnswerHash, string? Error);

/// <summary>
/// Persistent answers of paid teachers, keyed by teacher, model, prompt version and the SHA-256 of the text, in a
/// SQLite database. Each answer is committed as soon as it arrives (WAL journal), so a crash or Ctrl-C never loses an
/// answer that was paid for and a rerun asks only for what is missing. Safe to use from several threads.
/// </summary>
public sealed class AnswerCache : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    /// <summary>Opens (creating if needed) the cache database at <paramref name="path"/>.</summary>
    public AnswerCache(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=NORMAL;");
        Execute("PRAGMA busy_timeout=10000;");
        Execute("""
            CREATE TABLE IF NOT EXISTS answers (
              teacher TEXT NOT NULL, model TEXT NOT NULL, prompt_version TEXT NOT NULL, text_hash TEXT NOT NULL,
              labels TEXT, answer TEXT, answer_hash TEXT NOT NULL, error TEXT,
              input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, attempts INTEGER NOT NULL, created TEXT NOT NULL,
              PRIMARY KEY (teacher, model, prompt_version, text_hash));
            """);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The default location: <c>$XDG_CACHE_HOME/lahja/teacher-cache.sqlite</c> (or <c>~/.cache/lahja/…</c>).</summary>
    public static string DefaultPath
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? System.IO.Path.Combine(xdg, "lahja")
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lahja");
            return System.IO.Path.Combine(root, "teacher-cache.sqlite");
        }
    }

    /// <summary>The key of a text: hex SHA-256 of its UTF-8 bytes.</summary>
    public static string HashText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Looks up an answer.</summary>
    public CachedAnswer? Find(string teacher, string model, string promptVersion, string text)
    {
        lock (gate)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT labels, answer_hash, error FROM answers WHERE teacher=$t AND model=$m AND prompt_version=$p AND text_hash=$h";
            Bind(command, teacher, model, promptVersion, text);
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return null;
            var labels = reader.IsDBNull(0) ? null : reader.GetString(0).Select(c => c == '1').ToArray();
            return new CachedAnswer(labels, reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }
    }

    /// <summary>Records an answer (or a failure) at once; a later record for the same key replaces it.</summary>
    public void Store(string teacher, string model, string promptVersion, string text, bool[]? labels, string? answer, string answerHash, string? error, long inputTokens, long outputTokens, int attempts)
    {
        lock (gate)
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT OR REPLACE INTO answers (teacher, model, prompt_version, text_hash, labels, answer, answer_hash, error, input_tokens, output_tokens, attempts, created)
                VALUES ($t, $m, $p, $h, $labels, $answer, $answerHash, $error, $in, $out, $attempts, $created)
                """;
            Bind(command, teacher, model, promptVersion, text);
            command.Parameters.AddWithValue("$labels", labels is null ? DBNull.Value : new string(labels.Select(x => x ? '1' : '0').ToArray()));
            command.Parameters.AddWithValue("$answer", (object?)answer ?? DBNull.Value);
            command.Parameters.AddWithValue("$answerHash", answerHash);
            command.Parameters.AddWithValue("$error", (object?)error ?? DBNull.Value);
            command.Parameters.AddWithValue("$in", inputTokens);
            command.Parameters.AddWithValue("$out", outputTokens);
            command.Parameters.AddWithValue("$attempts", attempts);
            command.Parameters.AddWithValue("$created", DateTime.UtcNow.ToString("O"));
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Removes a failed record so that the row is asked again.</summary>
    public void Forget(string teacher, string model, string promptVersion, string text)
    {
        lock (gate)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM answers WHERE teacher=$t AND model=$m AND prompt_version=$p AND text_hash=$h";
            Bind(command, teacher, model, promptVersion, text);
            command.ExecuteNonQuery();
        }
    }

    private static void Bind(SqliteCommand command, string teacher, string model, string promptVersion, string text)
    {
        command.Parameters.AddWithValue("$t", teacher);
        command.Parameters.AddWithValue("$m", model);
        command.Parameters.AddWithValue("$p", promptVersion);
        command.Parameters.AddWithValue("$h", HashText(text));
    }

    private void Execute(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (gate)
        {
            // Fold the WAL into the database so the cache is one self-contained file after a normal exit.
            try { Execute("PRAGMA wal_checkpoint(TRUNCATE);"); } catch (SqliteException) { }
            connection.Dispose();
        }
    }
}
