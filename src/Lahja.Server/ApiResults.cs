using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lahja.Server;

/// <summary>
/// How every Lahja route writes its answers and problems: with its own JSON options, never the host's, so that the API
/// mapped into an app whose JSON options are camelCase (ASP.NET Core's default) answers byte for byte as
/// <c>lahja serve</c> does.
/// </summary>
internal static class ApiResults
{
    /// <summary>snake_case names, Arabic written as itself rather than as \u escapes, reflection-based (the records are plain).</summary>
    public static readonly JsonSerializerOptions SerializerOptions = CreateSerializerOptions();

    /// <summary>An answer in the API's JSON.</summary>
    public static IResult Json<T>(T value, int? statusCode = null) => TypedResults.Json(value, SerializerOptions, statusCode: statusCode);

    /// <summary>
    /// An RFC 7807 problem; <paramref name="field"/> names the request field at fault. Written here rather than by the
    /// host's problem details service, which would use the host's JSON options and customizations; it carries the
    /// request's trace id as that service's problems do.
    /// </summary>
    public static IResult Problem(int status, string title, string detail, string? field = null) =>
        // TypedResults.Problem fills in the status's RFC 9110 "type" link, as the framework's own problems have it.
        new ProblemResult(TypedResults.Problem(detail: detail, statusCode: status, title: title,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field }).ProblemDetails);

    /// <summary>The answer of a route whose model cannot be loaded (<see cref="DialectApiRuntime.TryLoadAsync"/>).</summary>
    public static IResult ModelUnavailable() =>
        Problem(503, "Model unavailable", "The dialect identification model could not be loaded; the server log says why.");

    /// <summary>A problem written with <see cref="SerializerOptions"/>; its <see cref="Value"/> is what the request log reports.</summary>
    private sealed class ProblemResult(ProblemDetails problem) : IResult, IStatusCodeHttpResult, IValueHttpResult<ProblemDetails>
    {
        private static readonly string TraceIdName = SerializerOptions.PropertyNamingPolicy!.ConvertName("traceId");

        public ProblemDetails Value => problem;

        public int? StatusCode => problem.Status;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            problem.Extensions[TraceIdName] = Activity.Current?.Id ?? httpContext.TraceIdentifier;
            return TypedResults.Json(problem, SerializerOptions, "application/problem+json", problem.Status).ExecuteAsync(httpContext);
        }
    }

    private static JsonSerializerOptions CreateSerializerOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }
}
