using Lahja;
using Lahja.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using DialectInfo = Lahja.Server.DialectInfo;

// In the namespace of ASP.NET Core's own Map… methods, so that it is found where the app's routes are mapped.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Lahja's dialect identification API into an ASP.NET Core app, as <c>lahja serve</c> serves it.</summary>
public static class DialectIdentificationEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST {prefix}/v1/identify</c>, <c>GET {prefix}/v1/dialects</c> and <c>GET {prefix}/v1/model</c> on the
    /// <see cref="DialectIdentifier"/> that <c>services.AddDialectIdentifier(…)</c> registered; the model loads on the
    /// first request (or health check) and concurrent requests share its forward passes. The routes answer exactly as
    /// <c>lahja serve</c>'s: snake_case JSON and RFC 7807 problems for bad input, written with their own JSON options
    /// whatever the app's are, within the limits of <see cref="DialectApiOptions"/> (from
    /// <c>services.Configure&lt;DialectApiOptions&gt;(…)</c>, else <c>lahja serve</c>'s defaults). Requests and latency
    /// are recorded on the meter <see cref="DialectApiOptions.MeterName"/>.
    /// </summary>
    /// <param name="endpoints">The app (or a route group of it).</param>
    /// <param name="prefix">A path the routes go under, e.g. <c>/lahja</c>; empty: none.</param>
    /// <returns>The routes' group, to add conventions to (authorization, rate limiting, CORS, OpenAPI tags).</returns>
    /// <exception cref="InvalidOperationException">No identifier is registered.</exception>
    public static RouteGroupBuilder MapDialectIdentification(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>() is { } registered && !registered.IsService(typeof(DialectIdentifier)))
            throw new InvalidOperationException(
                "MapDialectIdentification needs a DialectIdentifier: call services.AddDialectIdentifier(…) (Lahja's dependency injection) first.");
        var runtime = DialectApiRuntime.For(endpoints.ServiceProvider);
        var identify = new IdentifyEndpoint(runtime);
        var group = endpoints.MapGroup(prefix);

        group.MapGet("/v1/dialects", () => ApiResults.Json(Dialects.Table.Select(d => new DialectInfo(
                d.Index, d.Label, d.EnglishName, d.ArabicName, d.IsoCode, d.Region.EnglishName(), d.Region.ArabicName()))))
            .WithSummary("The 18 dialects: labels, names in English and Arabic, ISO codes, regions.")
            .Produces<DialectInfo[]>().WithTags("v1");
        group.MapGet("/v1/model", (Func<HttpContext, Task<IResult>>)(async context =>
                await runtime.TryLoadAsync(context.RequestAborted) is { } api ? ApiResults.Json(api.Description) : ApiResults.ModelUnavailable()))
            .WithSummary("The loaded model, its defaults and the request limits.").Produces<ModelDescription>().WithTags("v1");
        // Typed explicitly: a plain (HttpContext) => Task<IResult> lambda would bind as a RequestDelegate and its result be ignored.
        group.MapPost("/v1/identify", runtime.Observed(identify.Handle))
            .WithSummary("Identify the dialects of one text or several.")
            .WithDescription("Per text: the probability of each dialect, the predicted dialects (at or above the threshold), the top-k and the regions. Same numbers as `lahja predict` with the same options.")
            // "*/*" as well: routing would answer another media type with a bare 415 before the handler, which answers
            // it with a problem naming the media type; the document lists JSON only.
            .Accepts<IdentifyRequest>("application/json", "*/*")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody?.Content?.Remove("*/*");
                return Task.CompletedTask;
            })
            .Produces<IdentifyResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .WithTags("v1");
        return group;
    }
}
