using Lahja;
using Lahja.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// In the container's namespace, as Microsoft.Extensions' own Add… methods are, so that they are found where services are added.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers one shared <see cref="DialectIdentifier"/> (it is thread-safe) in a service collection.</summary>
public static class DialectIdentifierServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="DialectIdentifier"/> whose <see cref="DialectIdentifierSettings"/> are bound from
    /// <paramref name="configuration"/> (e.g. <c>builder.Configuration.GetSection("Lahja")</c>), then adjusted by
    /// <paramref name="configure"/> (where the engine is set). The model loads when the identifier is first resolved;
    /// the container disposes it.
    /// </summary>
    public static IServiceCollection AddDialectIdentifier(this IServiceCollection services, IConfiguration configuration, Action<DialectIdentifierSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = services.AddOptions<DialectIdentifierSettings>().Bind(configuration);
        if (configure is not null) settings.Configure(configure);
        return AddIdentifier(services);
    }

    /// <summary>Registers a singleton <see cref="DialectIdentifier"/> with settings made in code.</summary>
    public static IServiceCollection AddDialectIdentifier(this IServiceCollection services, Action<DialectIdentifierSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DialectIdentifierSettings>().Configure(configure);
        return AddIdentifier(services);
    }

    private static IServiceCollection AddIdentifier(IServiceCollection services)
    {
        services.TryAddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<DialectIdentifierSettings>>().Value;
            return DialectIdentifier.Load(ModelLocator.Resolve(settings.Model), settings.ToOptions());
        });
        return services;
    }
}
