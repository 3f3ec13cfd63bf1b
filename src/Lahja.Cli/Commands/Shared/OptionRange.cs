using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace Lahja.Cli.Commands.Shared;

/// <summary>
/// Range checks on numeric options, made at parse time: a value out of range is a parse error that names the option
/// (exit code 2, like any usage error), before any file is read or any model loaded.
/// </summary>
internal static class OptionRange
{
    /// <summary>Requires the value to lie in [<paramref name="min"/>, <paramref name="max"/>] (no upper bound when null).</summary>
    public static Option<T> Within<T>(this Option<T> option, T min, T? max = null) where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            if (T.IsNaN(value) || value < min || (max is { } top && value > top))
                result.AddError(string.Create(CultureInfo.InvariantCulture,
                    $"{option.Name} {value}: must be {(max is { } m ? $"between {min} and {m}" : $"at least {min}")}."));
        });
        return option;
    }

    /// <summary>Requires a value above <paramref name="min"/> (rates, say, where 0 means nothing).</summary>
    public static Option<T> Above<T>(this Option<T> option, T min) where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            if (T.IsNaN(value) || value <= min)
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} {value}: must be more than {min}."));
        });
        return option;
    }
}
