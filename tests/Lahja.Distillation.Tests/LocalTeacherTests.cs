using Lahja.Distillation.Local;

namespace Lahja.Distillation.Tests;

public sealed class LocalTeacherTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lahja-local-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Synthetic single-label data: each dialect has its own marker words among shared filler words.</summary>
    private static List<TeacherItem> Synthetic(int perDialect, int seed)
    {
        var random = new Random(seed);
        string[] filler = ["كيف", "الحال", "اليوم", "على", "في", "من", "هذا", "الله", "والله", "يا"];
        var items = new List<TeacherItem>();
        for (var i = 0; i < perDialect; i++)
            foreach (var d in Dialects.All)
            {
                var words = Enumerable.Range(0, 6).Select(_ => filler[random.Next(filler.Length)]).ToList();
                words.Insert(random.Next(words.Count), $"كلمة{(int)d}م{random.Next(3)}");
                items.Add(new TeacherItem(string.Join(' ', words), d));
            }
        return items;
    }

    private static int ArgMax(float[] p) => Array.IndexOf(p, p.Max());

    [Fact]
    public async Task Learns_the_dialects_cross_fitted_and_a_saved_teacher_gives_the_same_probabilities()
    {
        var items = Synthetic(30, seed: 1);
        using var teacher = new LocalTeacher(new LocalTeacherOptions { Folds = 3, Threads = 2 });
        var crossFitted = await teacher.LabelAsync(items, null, CancellationToken.None);
        var correct = items.Select((x, i) => ArgMax(crossFitted[i]!.Probabilities!) == (int)x.Gold!.Value).Count(c => c);
        Assert.True(correct >= 0.95 * items.Count, $"{correct} of {items.Count} right");
        Assert.All(crossFitted, a => Assert.True(a!.Labels![ArgMax(a.Probabilities!)], "the top dialect is always valid"));

        var fresh = Synthetic(3, seed: 2);
        var final = await teacher.LabelAsync(fresh, null, CancellationToken.None);
        teacher.Save(directory);
        using var loaded = LocalTeacher.Load(directory);
        Assert.Equal(teacher.Version, loaded.Version);
        var again = await loaded.LabelAsync(fresh, null, CancellationToken.None);
        for (var i = 0; i < fresh.Count; i++)
        {
            Assert.Equal(final[i]!.Probabilities, again[i]!.Probabilities);
            Assert.Equal(final[i]!.Labels, again[i]!.Labels);
        }
    }

    [Fact]
    public async Task A_row_is_never_labelled_by_a_model_that_saw_it()
    {
        // Two copies of a text found nowhere else, with different gold countries. A model trained on them learns its
        // words; cross-fitting puts both copies in one fold, so the model that labels them has never seen the words.
        var items = Synthetic(20, seed: 3);
        const string secret = "سرية خاصة جدا فريدة";
        items.Add(new TeacherItem(secret, Dialect.Egypt));
        items.Add(new TeacherItem(secret, Dialect.Egypt));
        using var teacher = new LocalTeacher(new LocalTeacherOptions { Folds = 3, Threads = 2 });
        var crossFitted = await teacher.LabelAsync(items, null, CancellationToken.None);
        var inSample = await teacher.LabelAsync([new TeacherItem(secret)], null, CancellationToken.None);
        var egypt = (int)Dialect.Egypt;
        Assert.Equal(crossFitted[^1]!.Probabilities, crossFitted[^2]!.Probabilities);
        Assert.True(inSample[0]!.Probabilities![egypt] > 2 * crossFitted[^1]!.Probabilities![egypt],
            $"in-sample {inSample[0]!.Probabilities![egypt]}, cross-fitted {crossFitted[^1]!.Probabilities![egypt]}");
    }

    [Fact]
    public void The_relative_threshold_keeps_every_dialect_close_to_the_best()
    {
        var p = new float[18];
        p[2] = 0.8f;
        p[5] = 0.3f;
        p[7] = 0.1f;
        Assert.Equal([2, 5], Enumerable.Range(0, 18).Where(i => DecisionRule.Relative(0.3f).Decide(p)[i]));
        Assert.Equal([2, 5, 7], Enumerable.Range(0, 18).Where(i => DecisionRule.Relative(0.1f).Decide(p)[i]));
    }

    [Fact]
    public void The_decision_rule_decides_as_the_teachers_relative_rule_did_on_random_probabilities()
    {
        var random = new Random(29);
        for (var i = 0; i < 5000; i++)
        {
            var p = Enumerable.Range(0, Dialects.Count).Select(_ => (float)(1 / (1 + Math.Exp(-(random.NextDouble() * 12 - 8))))).ToArray();
            var relative = random.Next(4) == 0 ? 0.3 : random.Next(1, 100) / 100.0; // 0.3: the default
            Assert.Equal(OldDecide(p, relative), DecisionRule.Relative((float)relative).Decide(p));
        }
    }

    /// <summary>The local teacher's rule as written before <see cref="DecisionRule"/> (issue 17).</summary>
    private static bool[] OldDecide(IReadOnlyList<float> probabilities, double relativeThreshold)
    {
        var best = probabilities.Max();
        return probabilities.Select(p => p >= best * relativeThreshold).ToArray();
    }

    [Fact]
    public void Platt_scaling_recovers_a_known_sigmoid()
    {
        var random = new Random(5);
        var scores = Enumerable.Range(0, 20000).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        var labels = scores.Select(s => random.NextDouble() < 1 / (1 + Math.Exp(-(2 * s - 1)))).ToArray();
        var (a, b) = Platt.Fit(scores, labels);
        Assert.InRange(a, 1.8, 2.2);
        Assert.InRange(b, -1.2, -0.8);
    }

    [Fact]
    public async Task Refuses_rows_without_gold_and_a_folder_that_is_not_a_teacher()
    {
        using var teacher = new LocalTeacher(new LocalTeacherOptions());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => teacher.LabelAsync([new TeacherItem("نص")], null, CancellationToken.None));
        Assert.Contains("gold", error.Message);
        Assert.Throws<FileNotFoundException>(() => LocalTeacher.Load(directory));
    }
}
