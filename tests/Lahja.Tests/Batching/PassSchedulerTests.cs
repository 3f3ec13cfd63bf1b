using Lahja.Batching;
using Lahja.Text;

namespace Lahja.Tests.Batching;

/// <summary>The pass scheduler alone: no model, no threads, the time passed in, so every choice is checked exactly.</summary>
public class PassSchedulerTests
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(10);

    /// <summary>A stand-in encoding of <paramref name="length"/> tokens: the scheduler reads only the length.</summary>
    private static TokenizedText Tokens(int length) => new(new int[length], new string[length], new (int, int)[length], new bool[length], false);

    private static ScheduledRequest Request(int length, TimeSpan arrived = default) => Request(length, CancellationToken.None, ended: null, arrived);

    private static ScheduledRequest Request(int length, CancellationToken cancellation, Action<ScheduledRequest, bool>? ended, TimeSpan arrived = default) =>
        new([$"text of {length}"], [Tokens(length)], arrived, ended, cancellation);

    private static IReadOnlyList<DialectPrediction> Predictions(ScheduledPass pass) =>
        [.. pass.Texts.Select(t => DialectPrediction.FromProbabilities(t, new float[Dialects.Count], new DialectIdentifierOptions()))];

    /// <summary>Runs one pass of <paramref name="elapsed"/>; returns its texts' lengths and how many requests it answered.</summary>
    private static (int[] Lengths, int Answered) RunPass(PassScheduler scheduler, TimeSpan elapsed = default)
    {
        var pass = scheduler.TakePass() ?? throw new InvalidOperationException("no pass");
        return ([.. pass.Encodings.Select(e => e.Count)], scheduler.Complete(pass, Predictions(pass), elapsed));
    }

    private static void AssertPass(int[] lengths, int answered, (int[] Lengths, int Answered) pass)
    {
        Assert.Equal(lengths, pass.Lengths);
        Assert.Equal(answered, pass.Answered);
    }

    [Fact]
    public async Task Short_texts_go_first_and_a_passed_over_long_one_runs_after_MaxDeferrals_passes()
    {
        var scheduler = new PassScheduler(BatchPlanner.CostBased(8, 10), maxPoolTexts: 64, maxWait: null);
        var requests = Enumerable.Range(0, 64).Select(i => Request(i == 30 ? 40 : 5)).ToArray();
        foreach (var request in requests) scheduler.Add(request);
        var passes = new List<int[]>();
        while (scheduler.PoolTexts > 0) passes.Add(RunPass(scheduler).Lengths);

        Assert.Equal(64, passes.Sum(p => p.Length));
        Assert.All(passes, p => Assert.InRange(p.Length, 1, 8));
        Assert.Equal(PassScheduler.MaxDeferrals, passes.FindIndex(p => p.Contains(40)));
        Assert.True(passes.FindIndex(p => p.Contains(40)) < passes.Count - 1, "the long text would otherwise have run last");
        foreach (var request in requests) Assert.Equal(request.Texts[0], Assert.Single(await request.Result).Text);
    }

    [Fact]
    public async Task A_request_is_answered_in_its_own_order_when_its_last_text_is_done()
    {
        var scheduler = new PassScheduler(BatchPlanner.Fixed(2), maxPoolTexts: 64, maxWait: null);
        var request = new ScheduledRequest(["long one", "a", "b"], [Tokens(30), Tokens(3), Tokens(4)], Start, cancellation: CancellationToken.None);
        scheduler.Add(request);
        AssertPass([3, 4], 0, RunPass(scheduler));
        Assert.False(request.Result.IsCompleted);
        AssertPass([30], 1, RunPass(scheduler));
        Assert.Equal(["long one", "a", "b"], (await request.Result).Select(p => p.Text));
        Assert.Null(scheduler.TakePass());
    }

    [Fact]
    public void The_automatic_wait_is_for_as_many_requests_as_the_last_pass_answered_at_most_a_tenth_of_its_time()
    {
        var scheduler = new PassScheduler(BatchPlanner.Fixed(32), maxPoolTexts: 64, maxWait: null);
        // The first pass answered nobody before it: it never waits.
        scheduler.BeginGathering(Start);
        scheduler.Add(Request(5));
        Assert.True(scheduler.WaitLeft(Start) <= TimeSpan.Zero);
        scheduler.Add(Request(5));
        scheduler.Add(Request(5));
        Assert.Equal(3, RunPass(scheduler, elapsed: TimeSpan.FromMilliseconds(400)).Answered);

        // Three clients were answered: wait for three, at most 40 ms (a tenth of 400 ms) from the start of gathering.
        var gathering = Start + TimeSpan.FromSeconds(1);
        scheduler.BeginGathering(gathering);
        scheduler.Add(Request(5));
        Assert.Equal(TimeSpan.FromMilliseconds(40), scheduler.WaitLeft(gathering));
        Assert.Equal(TimeSpan.FromMilliseconds(25), scheduler.WaitLeft(gathering + TimeSpan.FromMilliseconds(15)));
        Assert.True(scheduler.WaitLeft(gathering + TimeSpan.FromMilliseconds(40)) <= TimeSpan.Zero);
        scheduler.Add(Request(5));
        Assert.True(scheduler.WaitLeft(gathering) > TimeSpan.Zero);
        scheduler.Add(Request(5));
        Assert.True(scheduler.WaitLeft(gathering) <= TimeSpan.Zero);
        Assert.Equal(3, RunPass(scheduler, elapsed: TimeSpan.FromSeconds(5)).Answered);

        // A slow pass: the wait is capped.
        scheduler.BeginGathering(gathering);
        scheduler.Add(Request(5));
        Assert.Equal(PassScheduler.MaxAutomaticWait, scheduler.WaitLeft(gathering));
    }

    [Fact]
    public void A_set_wait_runs_from_the_oldest_arrival_and_leftovers_do_not_wait_again()
    {
        var scheduler = new PassScheduler(BatchPlanner.Fixed(1), maxPoolTexts: 64, maxWait: TimeSpan.FromMilliseconds(30));
        scheduler.BeginGathering(Start);
        scheduler.Add(Request(5, arrived: Start));
        scheduler.Add(Request(6, arrived: Start + TimeSpan.FromMilliseconds(10)));
        Assert.Equal(TimeSpan.FromMilliseconds(20), scheduler.WaitLeft(Start + TimeSpan.FromMilliseconds(10)));
        Assert.True(scheduler.WaitLeft(Start + TimeSpan.FromMilliseconds(30)) <= TimeSpan.Zero);
        RunPass(scheduler);
        // The second text was left over (passes of one): it has had its wait, and so has a newcomer beside it.
        scheduler.BeginGathering(Start + TimeSpan.FromMilliseconds(31));
        scheduler.Add(Request(7, arrived: Start + TimeSpan.FromMilliseconds(31)));
        Assert.True(scheduler.WaitLeft(Start + TimeSpan.FromMilliseconds(31)) <= TimeSpan.Zero);
    }

    [Fact]
    public void A_full_pool_stops_the_wait_and_a_larger_request_enters_whole()
    {
        var scheduler = new PassScheduler(BatchPlanner.Fixed(8), maxPoolTexts: 4, maxWait: TimeSpan.FromSeconds(30));
        scheduler.BeginGathering(Start);
        scheduler.Add(new ScheduledRequest([.. Enumerable.Range(0, 6).Select(i => $"t{i}")], [.. Enumerable.Range(0, 6).Select(_ => Tokens(5))], Start, cancellation: CancellationToken.None));
        Assert.True(scheduler.IsPoolFull);
        Assert.Equal(6, scheduler.PoolTexts);
        Assert.True(scheduler.WaitLeft(Start) <= TimeSpan.Zero);
    }

    [Fact]
    public void A_request_whose_caller_gave_up_is_dropped_before_its_pass()
    {
        var scheduler = new PassScheduler(BatchPlanner.Fixed(8), maxPoolTexts: 64, maxWait: null);
        using var giveUp = new CancellationTokenSource();
        var ended = new List<(ScheduledRequest Request, bool Answered)>();
        var abandoned = Request(5, giveUp.Token, (r, answered) => ended.Add((r, answered)));
        var kept = Request(6, CancellationToken.None, (r, answered) => ended.Add((r, answered)));
        scheduler.Add(abandoned);
        scheduler.Add(kept);
        giveUp.Cancel();
        AssertPass([6], 1, RunPass(scheduler));
        Assert.True(abandoned.Result.IsCanceled);
        Assert.Equal(new[] { (abandoned, false), (kept, true) }, ended);
    }

    [Fact]
    public void A_failed_pass_fails_its_requests_and_the_others_wait_on()
    {
        var scheduler = new PassScheduler(BatchPlanner.Fixed(1), maxPoolTexts: 64, maxWait: null);
        var first = Request(5);
        var second = Request(9);
        scheduler.Add(first);
        scheduler.Add(second);
        var error = new InvalidOperationException("broken model");
        scheduler.Fail(scheduler.TakePass()!, error, TimeSpan.FromMilliseconds(3));
        Assert.Same(error, first.Result.Exception?.InnerException);
        Assert.False(second.Result.IsCompleted);
        AssertPass([9], 1, RunPass(scheduler));
    }

    [Fact]
    public void Stopping_cancels_what_waits()
    {
        var scheduler = new PassScheduler(BatchPlanner.Fixed(8), maxPoolTexts: 64, maxWait: null);
        var request = Request(5);
        scheduler.Add(request);
        scheduler.CancelAll();
        Assert.True(request.Result.IsCanceled);
        Assert.Null(scheduler.TakePass());
    }

    [Fact]
    public void The_queue_limit_refuses_past_its_texts_but_always_admits_into_an_empty_queue()
    {
        var limit = new TextQueueLimit(2);
        Assert.True(limit.TryEnter(400));
        Assert.False(limit.TryEnter(1));
        Assert.Equal(400, limit.Queued);
        limit.Leave(400);
        Assert.True(limit.TryEnter(1));
        Assert.True(limit.TryEnter(1));
        Assert.False(limit.TryEnter(1));
        Assert.Equal(2, limit.Queued);
    }
}
