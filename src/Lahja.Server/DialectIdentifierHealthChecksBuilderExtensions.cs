using Lahja.Server;
using Microsoft.Extensions.Diagnostics.HealthChecks;

// In the container's namespace, as the health checks' own Add… methods are.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the dialect identifier's health check to an app's health checks.</summary>
public static class DialectIdentifierHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that is Healthy once the identifier registered by <c>services.AddDialectIdentifier(…)</c> has loaded
    /// its model and answered a prediction, and <paramref name="failureStatus"/> (Unhealthy by default) with the load
    /// error's message while it cannot load. The check loads the model if no request has yet, so a readiness probe on
    /// it (<c>app.MapHealthChecks("/readyz")</c>) makes the app ready without waiting for traffic. It shares the model
    /// and its batcher with the routes of <c>app.MapDialectIdentification()</c>.
    /// </summary>
    /// <param name="builder">The app's health checks (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name in the health report.</param>
    /// <param name="failureStatus">What a model that cannot load reports.</param>
    /// <param name="tags">Tags to filter checks by, e.g. <c>"ready"</c>.</param>
    public static IHealthChecksBuilder AddDialectIdentifier(this IHealthChecksBuilder builder, string name = "dialect_identifier",
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        return builder.Add(new HealthCheckRegistration(name, services => new DialectIdentifierHealthCheck(DialectApiRuntime.For(services)), failureStatus, tags));
    }
}
