using System.Text.Json.Serialization;

namespace Lahja.Distillation.Local;

/// <summary>The settings file of a saved local teacher (<c>local-teacher.json</c>), beside its weights.</summary>
internal sealed class LocalTeacherSettings
{
    public const string FileName = "local-teacher.json";

    [JsonPropertyName("format")] public string Format { get; set; } = "";
    [JsonPropertyName("version")] public int Version { get; set; }
    [JsonPropertyName("features")] public string Features { get; set; } = "";
    [JsonPropertyName("learner")] public string Learner { get; set; } = "";
    [JsonPropertyName("relative_threshold")] public float RelativeThreshold { get; set; }
    [JsonPropertyName("labels")] public string[] Labels { get; set; } = [];
    [JsonPropertyName("hash")] public string Hash { get; set; } = "";
    [JsonPropertyName("training")] public string? Training { get; set; }
}
