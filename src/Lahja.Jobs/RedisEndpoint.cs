using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Lahja.Jobs;

/// <summary>
/// A Redis server named by a URL, <c>redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]</c> or <c>rediss://…</c> for TLS,
/// with a display form whose password is masked (for every message a user may see or a log may keep).
/// </summary>
public sealed partial class RedisEndpoint
{
    /// <summary>Port of a URL that names none.</summary>
    public const int DefaultPort = 6379;

    private RedisEndpoint(ConfigurationOptions options, string display)
    {
        Options = options;
        Display = display;
    }

    /// <summary>StackExchange.Redis settings for this server.</summary>
    public ConfigurationOptions Options { get; }

    /// <summary>The URL with its password replaced by <c>***</c>.</summary>
    public string Display { get; }

    /// <summary>Parses <paramref name="url"/>; <paramref name="trustedCaFile"/> (PEM) is trusted for TLS besides the system's roots.</summary>
    /// <exception cref="ArgumentException">The URL is malformed; the message shows it masked.</exception>
    public static RedisEndpoint Parse(string url, string? trustedCaFile = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var masked = Mask(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
            throw new ArgumentException($"'{masked}' is not a Redis URL: expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], or rediss://… for TLS.");
        var tls = uri.Scheme == "rediss";
        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out database) || database > 65535))
            throw new ArgumentException($"'{masked}': the database '{path}' is not a number from 0 to 65535.");
        if (uri.Query.Length > 1 || uri.Fragment.Length > 1)
            throw new ArgumentException($"'{masked}': query strings and fragments are not supported (use the command's options).");
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            if (colon < 0) password = Uri.UnescapeDataString(uri.UserInfo); // redis://PASSWORD@host, as redis-cli -u reads it
            else
            {
                user = Uri.UnescapeDataString(uri.UserInfo[..colon]);
                password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        var options = new ConfigurationOptions
        {
            User = string.IsNullOrEmpty(user) ? null : user,
            Password = string.IsNullOrEmpty(password) ? null : password,
            Ssl = tls,
            SslHost = tls ? host : null,
            DefaultDatabase = database,
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            ConnectRetry = 2,
            ClientName = "lahja",
        };
        options.EndPoints.Add(host, port);
        if (trustedCaFile is not null)
        {
            if (!tls) throw new ArgumentException($"'{masked}': a CA certificate goes with rediss:// (TLS) only.");
            if (!File.Exists(trustedCaFile)) throw new FileNotFoundException($"CA certificate '{trustedCaFile}' does not exist.");
            options.TrustIssuer(trustedCaFile);
        }
        var display = $"{uri.Scheme}://{(uri.UserInfo.Length > 0 ? (user is null ? "" : Uri.EscapeDataString(user)) + (password is null ? "" : ":***") + "@" : "")}{uri.Authority[(uri.Authority.IndexOf('@') + 1)..]}/{database}";
        return new RedisEndpoint(options, display);
    }

    /// <summary>Masks the password of anything that looks like a URL with credentials (<c>scheme://user:secret@</c>).</summary>
    public static string Mask(string text) => Credentials().Replace(text, m => m.Groups[1].Value + (m.Groups[2].Success ? ":***" : "***") + "@");

    /// <summary>
    /// One line that says why talking to this server failed, naming its URL with the password masked: never the
    /// client library's multi-line diagnostics (which can carry configuration details).
    /// </summary>
    public string Describe(Exception failure)
    {
        var reason = failure switch
        {
            // StackExchange.Redis files a refused TLS handshake under AuthenticationFailure, like a wrong password.
            RedisConnectionException c when Options.Ssl && Handshake(c) is { } refused =>
                $"TLS handshake failed ({FirstLine(refused.Message)}): is the server's certificate trusted for this host? A private CA's PEM certificate goes in --redis-ca",
            RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } => "authentication failed (wrong user or password)",
            RedisConnectionException c when c.InnerException is RedisServerException s && IsAuthMessage(s.Message) => "authentication failed (wrong user or password)",
            RedisConnectionException c when Flatten(c).Any(IsAuthMessage) => "authentication failed (wrong user or password)",
            RedisConnectionException => "cannot connect (is the server running and reachable? for TLS use rediss://)",
            RedisTimeoutException => "the server did not answer in time",
            RedisServerException s when IsAuthMessage(s.Message) => "authentication failed (wrong user or password)",
            RedisServerException s => "the server answered: " + FirstLine(s.Message),
            _ => FirstLine(failure.Message),
        };
        return Mask($"Redis at {Display}: {reason}");
    }

    private static IEnumerable<string> Flatten(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x.Message;
    }

    /// <summary>The TLS handshake's own failure in the chain, if that is what failed (a wrong password's message also mentions certificates).</summary>
    private static System.Security.Authentication.AuthenticationException? Handshake(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is System.Security.Authentication.AuthenticationException handshake) return handshake;
        return null;
    }

    private static bool IsAuthMessage(string message) =>
        message.Contains("NOAUTH", StringComparison.Ordinal) || message.Contains("WRONGPASS", StringComparison.Ordinal)
        || message.Contains("AuthenticationFailure", StringComparison.Ordinal) || message.Contains("invalid password", StringComparison.OrdinalIgnoreCase);

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0].Trim();
        return line.Length > 200 ? line[..200] + "…" : line;
    }

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.-]*://[^:@/\s]*)(:[^@/\s]*)?@")]
    private static partial Regex Credentials();
}
