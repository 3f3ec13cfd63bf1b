using Lahja.Distillation.Local;

namespace Lahja.Distillation.Tests;

/// <summary>Teacher specs (<c>--teacher</c>) are parsed and built here, without the command line.</summary>
public sealed class TeacherSpecTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lahja-teacher-spec-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string Checkpoint => Path.Combine(ReferenceTools.RepositoryRoot, "tests", "Lahja.Torch.Tests", "Fixtures", "checkpoints", "f32");

    [Theory]
    [InlineData("openai:gpt-4o", TeacherKind.Llm, "gpt-4o")]
    [InlineData("openai:org/model:tag", TeacherKind.Llm, "org/model:tag")]
    [InlineData("local", TeacherKind.LocalTrained, null)]
    [InlineData("local:/tmp/teacher", TeacherKind.LocalSaved, "/tmp/teacher")]
    [InlineData("model:AHAAM/B2BERT", TeacherKind.Model, "AHAAM/B2BERT")]
    public void Each_form_parses_to_its_kind_and_argument_and_reads_back_as_written(string text, TeacherKind kind, string? argument)
    {
        var spec = TeacherSpec.Parse(text);
        Assert.Equal(new TeacherSpec(kind, argument), spec);
        Assert.Equal(text, spec.ToString());
        Assert.Equal(kind == TeacherKind.LocalTrained, spec.TrainsOnInput);
    }

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("openai:")]
    [InlineData("openai: ")]
    [InlineData("model:")]
    [InlineData("local: ")]
    [InlineData("")]
    public void Anything_else_is_refused_with_the_forms_listed(string text)
    {
        Assert.False(TeacherSpec.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => TeacherSpec.Parse(text));
        Assert.Equal($"'{text}': expected {TeacherSpec.Forms}.", error.Message);
    }

    [Fact]
    public void The_factory_builds_a_local_teacher_with_its_options_and_refuses_an_llm_without_settings()
    {
        using var factory = new TeacherFactory(new TeacherFactoryOptions { CachePath = Path.Combine(directory, "cache.sqlite") });
        using var local = factory.Create(TeacherSpec.Parse("local"));
        Assert.IsType<LocalTeacher>(local);
        Assert.Equal("local", local.Name);
        Assert.Throws<InvalidOperationException>(() => factory.Create(TeacherSpec.Parse("openai:gpt-4o")));
        Assert.False(File.Exists(Path.Combine(directory, "cache.sqlite")), "no LLM teacher was built: no cache may be created");
    }

    [Fact]
    public void Llm_teachers_share_one_cache_and_a_dry_run_never_creates_it()
    {
        var cachePath = Path.Combine(directory, "cache.sqlite");
        var log = new List<string>();
        var options = new TeacherFactoryOptions
        {
            Llm = model => new LlmTeacherOptions { Model = model, BaseUrl = new Uri("http://127.0.0.1:9/v1") },
            CachePath = cachePath,
            Log = log.Add,
        };
        using (var dry = new TeacherFactory(options with { ExistingCacheOnly = true }))
        using (var teacher = dry.Create(TeacherSpec.Parse("openai:a")))
            Assert.Equal("openai:a", teacher.Name);
        Assert.Equal([$"no answer cache yet ({cachePath})"], log);
        Assert.False(File.Exists(cachePath));

        log.Clear();
        using (var factory = new TeacherFactory(options))
        {
            using var first = factory.Create(TeacherSpec.Parse("openai:a"));
            using var second = factory.Create(TeacherSpec.Parse("openai:b"));
            Assert.Equal("openai:b", second.Name);
        }
        Assert.True(File.Exists(cachePath));
        Assert.Equal(2, log.Count);
        Assert.All(log, line => Assert.StartsWith("answer cache ", line));
    }

    [Fact]
    public void A_model_teacher_resolves_its_model_through_the_given_resolver_and_loads_it_with_the_given_options()
    {
        var resolved = new List<string>();
        using var factory = new TeacherFactory(new TeacherFactoryOptions
        {
            Model = new DialectIdentifierOptions { Engine = new ModelTeacherTests.ConstantEngine() },
            ResolveModel = model => { resolved.Add(model); return Checkpoint; },
        });
        using var teacher = factory.Create(TeacherSpec.Parse("model:owner/name"));
        Assert.IsType<ModelTeacher>(teacher);
        Assert.Equal("model:owner/name", teacher.Name);
        Assert.Equal(["owner/name"], resolved);
    }
}
