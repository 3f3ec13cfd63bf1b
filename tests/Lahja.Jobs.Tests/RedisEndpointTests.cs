namespace Lahja.Jobs.Tests;

public sealed class RedisEndpointTests
{
    [Fact]
    public void A_url_with_user_password_tls_and_database_is_read_and_shown_masked()
    {
        var endpoint = RedisEndpoint.Parse("rediss://app:p%40ss%3Aword@cache.example:6380/3");
        Assert.True(endpoint.Options.Ssl);
        Assert.Equal("cache.example", endpoint.Options.SslHost);
        Assert.Equal("app", endpoint.Options.User);
        Assert.Equal("p@ss:word", endpoint.Options.Password);
        Assert.Equal(3, endpoint.Options.DefaultDatabase);
        var server = Assert.IsType<System.Net.DnsEndPoint>(endpoint.Options.EndPoints.Single());
        Assert.Equal(("cache.example", 6380), (server.Host, server.Port));
        Assert.Equal("rediss://app:***@cache.example:6380/3", endpoint.Display);
        Assert.DoesNotContain("word", endpoint.Display);
    }

    [Fact]
    public void A_plain_url_has_the_default_port_and_no_credentials()
    {
        var endpoint = RedisEndpoint.Parse("redis://127.0.0.1");
        Assert.False(endpoint.Options.Ssl);
        Assert.Null(endpoint.Options.Password);
        Assert.Equal("redis://127.0.0.1/0", endpoint.Display);
        Assert.Equal("redis://:***@h:1/0", RedisEndpoint.Parse("redis://:secret@h:1").Display);
    }

    [Theory]
    [InlineData("http://:hunter2@host:6379")]
    [InlineData("redis://:hunter2@host:6379/db")]
    [InlineData("redis://:hunter2@host:6379/0?x=1")]
    [InlineData("hunter2")]
    public void A_malformed_url_is_refused_without_showing_its_password(string url)
    {
        var e = Assert.Throws<ArgumentException>(() => RedisEndpoint.Parse(url));
        if (url.Contains('@')) Assert.DoesNotContain("hunter2", e.Message);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("{x}")]
    [InlineData("-x")]
    [InlineData("")]
    [InlineData("x*")]
    public void Names_with_characters_keys_should_not_carry_are_refused(string name)
    {
        Assert.False(JobKeys.IsValidName(name));
        Assert.Throws<ArgumentException>(() => new JobKeys(name));
    }

    [Fact]
    public void Every_key_of_a_job_shares_one_cluster_hash_tag()
    {
        var keys = new JobKeys("tweets-2024.v1");
        Assert.All(keys.All, k => Assert.StartsWith("lahja:job:{tweets-2024.v1}:", k.ToString()));
        Assert.Equal(keys.All.Length, keys.All.Distinct().Count());
    }
}

public sealed class StoredPredictionTests
{
    [Fact]
    public void Probabilities_turned_back_into_predictions_decide_as_the_identifier_does()
    {
        var options = new DialectIdentifierOptions { Threshold = 0.05f, RelativeThreshold = 0.2f, TopK = 5, Threads = 1 };
        using var identifier = TestModels.Load(JobsFixture.Model, options);
        // With texts that have nothing to classify (blank; only Latin words, which b2bert removes): no dialects.
        string[] texts = [.. JobsFixture.Texts(40), "", "hello world"];
        var predictions = identifier.Predict(texts);
        var spec = JobSpec.Create("p", "tiny", JobsFixture.Model, options, 10);
        var stored = ChunkCodec.ReadResult(ChunkCodec.Result(texts, predictions), 0, spec.Options());
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(predictions[i].Text, stored[i].Text);
            Assert.Equal(predictions[i].Probabilities, stored[i].Probabilities); // bit-exact through Redis's string form
            Assert.Equal(predictions[i].Dialects, stored[i].Dialects);
            Assert.Equal(predictions[i].Top, stored[i].Top);
            Assert.Equal(predictions[i].Regions, stored[i].Regions);
            Assert.Equal(predictions[i].EmptyReason, stored[i].EmptyReason);
        }
        Assert.Contains(predictions, p => p.Dialects.Count > 0);
        Assert.Equal(EmptyTextReason.EmptyText, stored[^2].EmptyReason);
        Assert.Equal(EmptyTextReason.NothingAfterPreprocessing, stored[^1].EmptyReason);
    }
}
