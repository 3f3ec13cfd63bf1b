namespace Lahja.Distillation.Tests;

public sealed class AnswerCacheTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lahja-cache-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Answers_persist_across_instances_keyed_by_teacher_model_prompt_and_text()
    {
        var path = Path.Combine(directory, "sub", "cache.sqlite");
        var labels = Dialects.All.Select(d => d is Dialect.Egypt or Dialect.Sudan).ToArray();
        using (var cache = new AnswerCache(path))
        {
            cache.Store("openai", "m", "v1", "نص", labels, "{…}", "abc", null, 10, 5, 1);
            cache.Store("openai", "m", "v1", "آخر", null, null, "", "missing Yemen", 10, 5, 3);
        }
        using (var cache = new AnswerCache(path))
        {
            Assert.Equal(labels, cache.Find("openai", "m", "v1", "نص")!.Labels);
            Assert.Equal("abc", cache.Find("openai", "m", "v1", "نص")!.AnswerHash);
            Assert.Null(cache.Find("openai", "m", "v2", "نص"));
            Assert.Null(cache.Find("openai", "other", "v1", "نص"));
            Assert.Null(cache.Find("openai", "m", "v1", "نص "));
            var failed = cache.Find("openai", "m", "v1", "آخر")!;
            Assert.Null(failed.Labels);
            Assert.Equal("missing Yemen", failed.Error);
            cache.Forget("openai", "m", "v1", "آخر");
            Assert.Null(cache.Find("openai", "m", "v1", "آخر"));
        }
    }
}
