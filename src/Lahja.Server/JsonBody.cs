using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Lahja.Server;

/// <summary>
/// Reads a request's JSON body for every API shape (Lahja's, TEI's, the Inference API's), which then answer a
/// failure each in its own error shape: <see cref="Document"/> is null and <see cref="Status"/>, <see cref="Title"/>
/// and <see cref="Detail"/> say why.
/// </summary>
internal sealed record JsonBody(JsonDocument? Document, int Status, string Title, string Detail)
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(false, true);

    public static async Task<JsonBody> Read(HttpContext context, long maxBodyBytes, CancellationToken cancellationToken)
    {
        if (context.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return new(null, 415, "Unsupported Media Type", $"{context.Request.Path} takes application/json, not {context.Request.ContentType ?? "a body without Content-Type"}.");
        try
        {
            // Checked here as well as by the server's own limit (Kestrel's, which lahja serve sets), which an app that
            // maps the API keeps for its other routes.
            if (context.Request.ContentLength > maxBodyBytes) return TooLarge(maxBodyBytes);
            if (await ReadBody(context.Request.BodyReader, maxBodyBytes, cancellationToken) is not { } bytes) return TooLarge(maxBodyBytes);
            try
            {
                _ = StrictUtf8.GetCharCount(bytes);
            }
            catch (System.Text.DecoderFallbackException)
            {
                return new(null, 400, "Invalid encoding", "The body is not valid UTF-8.");
            }
            return new(JsonDocument.Parse(bytes), 200, "", "");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413)
        {
            return TooLarge(maxBodyBytes);
        }
        catch (BadHttpRequestException e)
        {
            // A body Kestrel could not read (malformed chunks, too slow, cut short): the client's fault, never a 500.
            return new(null, e.StatusCode, "Unreadable body", e.Message);
        }
        catch (JsonException e)
        {
            return new(null, 400, "Invalid JSON", e.Message);
        }
    }

    private static JsonBody TooLarge(long maxBodyBytes) => new(null, 413, "Body too large", $"The body exceeds {maxBodyBytes} bytes.");

    /// <summary>
    /// The whole body, or null when it exceeds <paramref name="maxBodyBytes"/>. The timeout cancels the pending read rather than the read's token: a read cancelled by its token
    /// leaves Kestrel's body reader "in progress", and Kestrel then logs an error with a stack trace for every such
    /// request (a slow client could flood the log) when it drains the body after the 504.
    /// </summary>
    private static async Task<byte[]?> ReadBody(PipeReader reader, long maxBodyBytes, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(reader.CancelPendingRead);
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await reader.ReadAsync(CancellationToken.None);
            if (buffer.WrittenCount + result.Buffer.Length > maxBodyBytes)
            {
                reader.AdvanceTo(result.Buffer.End);
                return null;
            }
            foreach (var segment in result.Buffer) buffer.Write(segment.Span);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCanceled) cancellationToken.ThrowIfCancellationRequested();
            if (result.IsCompleted) return buffer.WrittenSpan.ToArray();
        }
    }
}
