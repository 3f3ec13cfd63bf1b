using System.Diagnostics;
using System.Text.Json;

namespace Lahja.Cli.Tests;

public class DialectsCommandTests
{
    [Fact]
    public void Json_lists_the_18_dialects_in_output_order()
    {
        var (code, output, _) = CliRunner.Run("", "dialects", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var rows = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(18, rows.Length);
        Assert.Equal("Saudi_Arabia", rows[12].GetProperty("label").GetString());
        Assert.Equal("السعودية", rows[12].GetProperty("arabic").GetString());
        Assert.Equal("AE", rows[16].GetProperty("iso").GetString());
    }

    [Fact]
    public void Table_shows_names_codes_and_regions()
    {
        var (code, output, _) = CliRunner.Run("", "dialects");
        Assert.Equal(0, code);
        foreach (var d in Dialects.Table)
        {
            Assert.Contains(d.Label, output);
            Assert.Contains(d.ArabicName, output);
        }
        Assert.Contains("Nile Valley", output);
    }

    [Fact]
    public async Task Repository_script_builds_and_runs_the_cli()
    {
        var info = new ProcessStartInfo(Path.Combine(CliRunner.RepositoryRoot, "lahja")) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("preprocess");
        info.ArgumentList.Add("كيف الحال؟ hello");
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Equal("الحال\n", output);
    }
}
