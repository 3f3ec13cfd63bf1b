using Lahja.Text;

namespace Lahja.Tests.Text;

public class WordPieceTrainerTests
{
    [Fact]
    public void Learns_specials_alphabet_then_frequent_merges()
    {
        var trainer = new WordPieceTrainer();
        for (var i = 0; i < 10; i++) trainer.Add("مرحبا مرحبا يا شباب");
        trainer.Add("Hello");
        var vocab = trainer.Train(size: 60);
        Assert.Equal(WordPieceTrainer.SpecialTokens, vocab.Take(5));
        Assert.Contains("م", vocab);
        Assert.Contains("##ر", vocab);
        Assert.Contains("مرحبا", vocab); // the most frequent word is merged whole
        Assert.DoesNotContain("H", vocab); // lowercased
        Assert.Contains("h", vocab);
        Assert.True(vocab.Count <= 60);
        Assert.Equal(vocab.Count, vocab.Distinct().Count());
        Assert.Equal(vocab, new WordPieceTrainerFactory().Build()); // deterministic
    }

    [Fact]
    public void The_learned_vocabulary_tokenizes_its_corpus_without_unknowns()
    {
        var trainer = new WordPieceTrainer();
        var corpus = new[] { "الله يسلمك يا غالي", "شلونك حبيبي", "إزيك يا باشا" };
        foreach (var t in corpus) for (var i = 0; i < 3; i++) trainer.Add(t);
        var vocab = trainer.Train(size: 200);
        var dir = Directory.CreateTempSubdirectory("lahja-wp-").FullName;
        try
        {
            File.WriteAllLines(Path.Combine(dir, "vocab.txt"), vocab);
            var tokenizer = BertTokenizer.FromDirectory(dir);
            foreach (var t in corpus) Assert.DoesNotContain("[UNK]", tokenizer.Encode(t).Tokens);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private sealed class WordPieceTrainerFactory
    {
        public IReadOnlyList<string> Build()
        {
            var trainer = new WordPieceTrainer();
            for (var i = 0; i < 10; i++) trainer.Add("مرحبا مرحبا يا شباب");
            trainer.Add("Hello");
            return trainer.Train(size: 60);
        }
    }
}
