using System.Diagnostics;

namespace Lahja.Packaging.Tests;

/// <summary>The result of a finished process.</summary>
public sealed record ProcessResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs programs as a user would, in a chosen folder and environment.</summary>
public static class Processes
{
    /// <summary>A process that has not ended in this long is stuck, not slow: it is killed and the test fails.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(15);

    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // Whatever engine or model the calling shell chose, the programs under test run with their defaults.
        info.Environment.Remove("LAHJA_ENGINE");
        info.Environment.Remove("LAHJA_MODEL");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        return info;
    }

    public static ProcessResult Run(string program, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var process = Process.Start(StartInfo(program, args, workingDirectory, environment))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(HangGuard))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not end within {HangGuard}: {error.Result}");
        }
        return new ProcessResult(process.ExitCode, output.Result, error.Result);
    }
}
