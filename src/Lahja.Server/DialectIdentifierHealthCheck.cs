using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lahja.Server;

/// <summary>
/// Healthy once the model is loaded and has answered one prediction; Unhealthy with the load's error message (no stack
/// trace) while it cannot load. The check loads the model if nothing has yet (so a readiness probe makes the app
/// ready), through the runtime the mapped API shares; a failed load is tried again by the next check.
/// </summary>
internal sealed class DialectIdentifierHealthCheck(DialectApiRuntime runtime) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        LoadedApi api;
        try
        {
            api = await runtime.EnsureAnswersAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The dialect identification model cannot be used: {e.Message}");
        }
        return HealthCheckResult.Healthy($"The model {api.Identifier.ModelDirectory} is loaded and answers.",
            new Dictionary<string, object> { ["model"] = api.Identifier.ModelDirectory });
    }
}
