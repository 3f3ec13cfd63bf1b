using System.Net.Http.Json;
using System.Text.Json;

namespace Lahja.Server.Tests;

/// <summary>A model's <c>lahja.json</c> description reaches <c>/v1/model</c> (the web page shows it from there).</summary>
public sealed class ModelDescriptionTests : IDisposable
{
    private readonly string _model = Directory.CreateTempSubdirectory("lahja-described-").FullName;

    public void Dispose() => Directory.Delete(_model, true);

    [Fact]
    public async Task The_models_description_is_in_v1_model_and_absent_when_it_has_none()
    {
        foreach (var file in Directory.GetFiles(ServerFixture.Model)) File.Copy(file, Path.Combine(_model, Path.GetFileName(file)));
        const string description = "A tiny test model: NADI 2021 dev top-1 5.55 %. For the full model use --model AHAAM/B2BERT.";
        new Lahja.Checkpoints.LahjaSettings { Description = description }.Save(_model);
        await using (var described = await RunningServer.StartAsync(o => o with { Model = _model }))
        {
            var model = await described.Client.GetFromJsonAsync<JsonElement>("/v1/model", TestContext.Current.CancellationToken);
            Assert.Equal(description, model.GetProperty("description").GetString());
        }
        await using var plain = await RunningServer.StartAsync();
        var plainModel = await plain.Client.GetFromJsonAsync<JsonElement>("/v1/model", TestContext.Current.CancellationToken);
        Assert.True(!plainModel.TryGetProperty("description", out var none) || none.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public void A_description_that_is_not_one_bounded_line_is_refused_naming_the_file()
    {
        foreach (var bad in new[] { "two\nlines", new string('x', Lahja.Checkpoints.LahjaSettings.MaxDescriptionLength + 1) })
        {
            File.WriteAllText(Path.Combine(_model, "lahja.json"), JsonSerializer.Serialize(new { description = bad }));
            var error = Assert.Throws<InvalidDataException>(() => Lahja.Checkpoints.LahjaSettings.Load(_model));
            Assert.Contains("lahja.json", error.Message);
            Assert.Contains("description", error.Message);
        }
    }
}
