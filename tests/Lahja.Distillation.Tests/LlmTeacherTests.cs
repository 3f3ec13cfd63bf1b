namespace Lahja.Distillation.Tests;

public sealed class LlmTeacherTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lahja-llm-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Sentence i's true dialects: two of them, different per sentence.</summary>
    internal static Dialect[] Truth(string sentence)
    {
        var i = int.Parse(sentence.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return [(Dialect)(i % 18), (Dialect)((i * 7 + 3) % 18)];
    }

    internal static string Sentence(int i) => $"جملة {i} شو عم تعمل";

    // A generous request timeout by default: with 1 s, a slow first request (JIT, a busy machine) timed out and was
    // sent again, and the tests that count requests saw one too many. Only the test of a hung request needs a short one.
    private static LlmTeacherOptions Options(FakeChatServer server, int attempts = 5, StructuredOutput structured = StructuredOutput.Auto, bool retryFailed = false, double timeoutSeconds = 30) => new()
    {
        Model = "scripted-model", BaseUrl = server.BaseUrl, Concurrency = 4, MaxAttempts = attempts, StructuredOutput = structured,
        InitialBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(timeoutSeconds), RetryFailed = retryFailed,
    };

    private static bool[] Labels(IEnumerable<Dialect> dialects)
    {
        var labels = new bool[Dialects.Count];
        foreach (var d in dialects) labels[(int)d] = true;
        return labels;
    }

    [Fact]
    public async Task Scripted_answers_errors_and_timeouts_give_exactly_the_scripted_labels_and_a_rerun_sends_nothing()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        var sentences = Enumerable.Range(0, 40).Select(Sentence).ToList();
        // Scripted trouble on some sentences, then the normal answer.
        server.Script(sentences[1], new Behaviour.Status(429, RetryAfterSeconds: 1));
        server.Script(sentences[2], new Behaviour.Status(500), new Behaviour.Status(503));
        server.Script(sentences[3], new Behaviour.Hang());
        server.Script(sentences[4], new Behaviour.Content("Sure! {\"Algeria\": 1, \"Egypt\": "));               // malformed JSON
        server.Script(sentences[5], new Behaviour.Content(FakeChatServer.AnswerFor(Truth(sentences[5])).Replace(",\"Yemen\":0", "").Replace(",\"Yemen\":1", ""))); // a dialect missing
        server.Script(sentences[6], new Behaviour.Content("```json\n" + FakeChatServer.AnswerFor(Truth(sentences[6])).Replace("\"Saudi_Arabia\"", "\"Saudi Arabia\"").Replace(":1", ":\"1\"") + "\n```"));
        var items = sentences.Select((s, i) => new TeacherItem(s, (Dialect)((i + 5) % 18))).ToList();
        var cachePath = Path.Combine(directory, "cache.sqlite");

        TeacherAnswer?[] answers;
        using (var cache = new AnswerCache(cachePath))
        using (var teacher = new LlmTeacher(Options(server, timeoutSeconds: 3), cache)) // sentence 3 hangs until this timeout
        {
            answers = await teacher.LabelAsync(items, null, CancellationToken.None);
            Assert.Equal(40 + 1 + 2 + 1 + 1 + 1, teacher.Usage.Requests);
            Assert.Equal(6, teacher.Usage.Retries);
            Assert.Equal(0, teacher.Usage.Failed);
            Assert.Equal(42 * 100, teacher.Usage.InputTokens); // only the 42 completions (not the errors or the hung request) report usage
        }
        for (var i = 0; i < sentences.Count; i++) Assert.Equal(Labels(Truth(sentences[i])), answers[i]!.Labels);
        Assert.Equal(2, server.RequestsFor(sentences[1]));
        Assert.Equal(3, server.RequestsFor(sentences[2]));
        Assert.Equal(2, server.RequestsFor(sentences[3]));
        // Retry-After: 1 s was honoured (the back-off alone is at most a few milliseconds here).
        var times = server.Received.Where(r => r.Sentence == sentences[1]).Select(r => r.At).ToList();
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(0.9), $"retried after {(times[1] - times[0]).TotalMilliseconds} ms");

        // With --include-gold the original country is added to the teacher's labels.
        var rows = items.Select((x, i) => new SourceRow(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "test", x)).ToList();
        using var again = new AnswerCache(cachePath);
        using var rerun = new LlmTeacher(Options(server), again);
        var before = server.Received.Count;
        var second = await rerun.LabelAsync(items, null, CancellationToken.None);
        Assert.Equal(before, server.Received.Count);
        Assert.Equal(0, rerun.Usage.Requests);
        Assert.Equal(40, rerun.Usage.Cached);
        var (labelled, failed, unanswered) = PseudoLabeler.Combine(rows, [(rerun, second)], Vote.Majority, includeGold: true);
        Assert.Empty(failed);
        Assert.Equal(0, unanswered);
        for (var i = 0; i < sentences.Count; i++)
            Assert.Equal(Labels(Truth(sentences[i]).Append(items[i].Gold!.Value)), labelled[i].Labels);
    }

    [Fact]
    public async Task An_answer_that_stays_unusable_is_recorded_as_failed_not_guessed_and_not_asked_again()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        var bad = Sentence(7);
        var missing = FakeChatServer.AnswerFor(Truth(bad)).Replace(",\"Yemen\":0", "").Replace(",\"Yemen\":1", "");
        server.Script(bad, new Behaviour.Content(missing), new Behaviour.Content(missing), new Behaviour.Content("no idea"));
        var items = new[] { new TeacherItem(Sentence(6)), new TeacherItem(bad) };
        var cachePath = Path.Combine(directory, "cache.sqlite");
        using (var cache = new AnswerCache(cachePath))
        using (var teacher = new LlmTeacher(Options(server, attempts: 3), cache))
        {
            var answers = await teacher.LabelAsync(items, null, CancellationToken.None);
            Assert.True(answers[0]!.Succeeded);
            Assert.False(answers[1]!.Succeeded);
            Assert.Contains("no JSON object", answers[1]!.Error);
            Assert.Equal(3, server.RequestsFor(bad));
            Assert.Equal(1, teacher.Usage.Failed);
        }
        using (var cache = new AnswerCache(cachePath))
        using (var teacher = new LlmTeacher(Options(server, attempts: 3), cache))
        {
            var answers = await teacher.LabelAsync(items, null, CancellationToken.None);
            Assert.False(answers[1]!.Succeeded);
            Assert.Equal(0, teacher.Usage.Requests);
        }
        using (var cache = new AnswerCache(cachePath))
        using (var teacher = new LlmTeacher(Options(server, attempts: 3, retryFailed: true), cache))
        {
            var answers = await teacher.LabelAsync(items, null, CancellationToken.None);
            Assert.Equal(Labels(Truth(bad)), answers[1]!.Labels);
            Assert.Equal(1, teacher.Usage.Requests);
        }
    }

    [Fact]
    public async Task A_200_with_an_empty_or_truncated_body_is_a_failed_attempt_of_that_row_retried_without_stopping_the_run()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        var sentences = Enumerable.Range(0, 12).Select(Sentence).ToList();
        server.Script(sentences[1], new Behaviour.EmptyBody());
        server.Script(sentences[2], new Behaviour.TruncatedBody(), new Behaviour.EmptyBody());
        server.Script(sentences[3], new Behaviour.DroppedBody());
        server.Script(sentences[4], new Behaviour.DroppedBody(), new Behaviour.TruncatedBody(), new Behaviour.EmptyBody()); // every attempt
        var items = sentences.Select(s => new TeacherItem(s)).ToList();
        using var cache = new AnswerCache(Path.Combine(directory, "cache.sqlite"));
        using var teacher = new LlmTeacher(Options(server, attempts: 3), cache);
        var answers = await teacher.LabelAsync(items, null, CancellationToken.None);
        for (var i = 0; i < sentences.Count; i++)
            if (i != 4) Assert.Equal(Labels(Truth(sentences[i])), answers[i]!.Labels);
        Assert.False(answers[4]!.Succeeded);
        Assert.True(answers[4]!.Retryable); // not cached as the teacher's answer: a rerun asks again
        Assert.Contains("empty or truncated body", answers[4]!.Error);
        Assert.Null(cache.Find("openai", "scripted-model", DialectPrompt.Version, sentences[4]));
        Assert.Equal([2, 3, 2, 3], new[] { 1, 2, 3, 4 }.Select(i => server.RequestsFor(sentences[i])));
        Assert.Equal(1, teacher.Usage.Failed);
    }

    [Fact]
    public async Task A_dry_run_plan_counts_the_distinct_texts_not_in_the_cache_and_sends_nothing()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        var items = Enumerable.Range(0, 10).Select(i => new TeacherItem(Sentence(i % 8))).ToList(); // 8 distinct texts
        using var cache = new AnswerCache(Path.Combine(directory, "cache.sqlite"));
        using (var first = new LlmTeacher(Options(server), cache))
            await first.LabelAsync(items.Take(3).ToList(), null, CancellationToken.None);
        var received = server.Received.Count;
        using var teacher = new LlmTeacher(Options(server), cache);
        var plan = teacher.Plan(items);
        Assert.Equal(received, server.Received.Count);
        Assert.Equal(new LlmPlan(10, 8, 3, 5,
            Enumerable.Range(3, 5).Sum(i => LlmTeacher.EstimateTokens(Sentence(i)).Input), 5 * LlmTeacher.AnswerTokens), plan);
    }

    [Fact]
    public async Task Errors_that_outlast_the_retries_leave_the_row_for_the_rerun_instead_of_caching_a_failure()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        var sentence = Sentence(9);
        server.Script(sentence, new Behaviour.Status(500), new Behaviour.Status(502), new Behaviour.Status(503));
        var cachePath = Path.Combine(directory, "cache.sqlite");
        using (var cache = new AnswerCache(cachePath))
        using (var teacher = new LlmTeacher(Options(server, attempts: 3), cache))
        {
            var answer = (await teacher.LabelAsync([new TeacherItem(sentence)], null, CancellationToken.None))[0]!;
            Assert.False(answer.Succeeded);
            Assert.True(answer.Retryable);
            Assert.Contains("HTTP 503", answer.Error);
            Assert.Null(cache.Find("openai", "scripted-model", DialectPrompt.Version, sentence));
        }
        using (var cache = new AnswerCache(cachePath))
        using (var teacher = new LlmTeacher(Options(server, attempts: 3), cache))
        {
            var answer = (await teacher.LabelAsync([new TeacherItem(sentence)], null, CancellationToken.None))[0]!;
            Assert.Equal(Labels(Truth(sentence)), answer.Labels);
        }
        Assert.Equal(4, server.RequestsFor(sentence));
    }

    [Fact]
    public async Task An_unreachable_server_stops_the_run_with_a_clear_error()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new LlmTeacherOptions { Model = "m", BaseUrl = new Uri($"http://127.0.0.1:{port}/v1"), MaxAttempts = 2, InitialBackoff = TimeSpan.FromMilliseconds(5) };
        using var teacher = new LlmTeacher(options, null);
        var error = await Assert.ThrowsAsync<TeacherUnavailableException>(() => teacher.LabelAsync([new TeacherItem("نص")], null, CancellationToken.None));
        Assert.Contains("cannot be reached", error.Message);
    }

    [Fact]
    public async Task A_server_without_structured_output_is_prompted_plainly_after_one_refusal()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s))) { RefuseSchema = true };
        var items = Enumerable.Range(0, 5).Select(i => new TeacherItem(Sentence(i))).ToList();
        using var teacher = new LlmTeacher(Options(server), null);
        var answers = await teacher.LabelAsync(items, null, CancellationToken.None);
        for (var i = 0; i < items.Count; i++) Assert.Equal(Labels(Truth(items[i].Text)), answers[i]!.Labels);
        Assert.InRange(server.Received.Count(r => r.Schema), 1, 4); // the requests already in flight when the first refusal came
        Assert.Equal(5, server.Received.Count(r => !r.Schema));
    }

    [Fact]
    public async Task Structured_output_is_asked_with_the_schema_of_exactly_18_dialects()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        using var teacher = new LlmTeacher(Options(server, structured: StructuredOutput.JsonSchema), null);
        await teacher.LabelAsync([new TeacherItem(Sentence(1))], null, CancellationToken.None);
        Assert.True(server.Received.Single().Schema);
        var schema = DialectPrompt.AnswerSchema;
        Assert.Equal(18, schema.GetProperty("required").GetArrayLength());
        Assert.Equal(18, schema.GetProperty("properties").EnumerateObject().Count());
    }

    [Fact]
    public async Task Authentication_failure_stops_the_run_with_a_clear_error()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s))) { AlwaysStatus = 401 };
        using var teacher = new LlmTeacher(Options(server), null);
        var error = await Assert.ThrowsAsync<TeacherUnavailableException>(() => teacher.LabelAsync(Enumerable.Range(0, 20).Select(i => new TeacherItem(Sentence(i))).ToList(), null, CancellationToken.None));
        Assert.Contains("401", error.Message);
        // Concurrency 4: the requests in flight when the first 401 came, and no more (up to 14 of 20 before).
        Assert.True(server.Received.Count <= 4, $"{server.Received.Count} requests after a 401");
    }

    [Fact]
    public async Task Cancelling_finishes_requests_in_flight_keeps_their_answers_and_leaves_the_rest_for_the_rerun()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        var items = Enumerable.Range(0, 200).Select(i => new TeacherItem(Sentence(i))).ToList();
        var cachePath = Path.Combine(directory, "cache.sqlite");
        using var stop = new CancellationTokenSource();
        TeacherAnswer?[] first;
        using (var cache = new AnswerCache(cachePath))
        using (var teacher = new LlmTeacher(Options(server), cache))
        {
            var progress = new SyncProgress(p => { if (p.Done >= 20) stop.Cancel(); });
            first = await teacher.LabelAsync(items, progress, stop.Token);
        }
        var answeredFirst = first.Count(a => a is not null);
        Assert.InRange(answeredFirst, 20, 199);
        Assert.Equal(answeredFirst, server.Answered.Count);
        using (var cache = new AnswerCache(cachePath))
        using (var teacher = new LlmTeacher(Options(server), cache))
        {
            var second = await teacher.LabelAsync(items, null, CancellationToken.None);
            Assert.All(second, a => Assert.True(a!.Succeeded));
        }
        // Every sentence was paid for exactly once across the two runs.
        Assert.Equal(200, server.Answered.Count);
        Assert.Equal(200, server.Answered.Distinct().Count());
    }

    [Fact]
    public async Task Stopping_while_a_row_waits_for_the_rate_limiter_leaves_it_for_the_rerun_unsent()
    {
        await using var server = new FakeChatServer(s => FakeChatServer.AnswerFor(Truth(s)));
        // One request a minute: of two rows started together, one is sent and the other waits about a minute for the
        // limiter. Stopping after the first answer must end that wait, not send the row a minute later.
        var options = new LlmTeacherOptions
        {
            Model = "scripted-model", BaseUrl = server.BaseUrl, Concurrency = 2, RequestsPerMinute = 1, RequestTimeout = TimeSpan.FromSeconds(30),
        };
        using var stop = new CancellationTokenSource();
        using var teacher = new LlmTeacher(options, null);
        var progress = new SyncProgress(p => { if (p.Done >= 1) stop.Cancel(); });
        var answers = await teacher.LabelAsync([new TeacherItem(Sentence(1)), new TeacherItem(Sentence(2))], progress, stop.Token);
        Assert.Single(answers, a => a is not null);
        Assert.Single(server.Received);
        Assert.Equal(1, teacher.Usage.Requests);
    }

    private sealed class SyncProgress(Action<LabelingProgress> report) : IProgress<LabelingProgress>
    {
        public void Report(LabelingProgress value) => report(value);
    }
}
