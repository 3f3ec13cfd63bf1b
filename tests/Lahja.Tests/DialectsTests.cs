namespace Lahja.Tests;

public class DialectsTests
{
    [Fact]
    public void Output_order_is_B2BERTs()
    {
        var expected = "Algeria Bahrain Egypt Iraq Jordan Kuwait Lebanon Libya Morocco Oman Palestine Qatar Saudi_Arabia Sudan Syria Tunisia UAE Yemen".Split(' ');
        Assert.Equal(expected, Dialects.Table.Select(d => d.Label));
        Assert.Equal(18, Dialects.Count);
        for (var i = 0; i < Dialects.Count; i++)
        {
            Assert.Equal(i, (int)Dialects.All[i]);
            Assert.Equal(i, Dialects.Table[i].Index);
        }
    }

    [Theory]
    [InlineData("Saudi_Arabia", Dialect.SaudiArabia)]
    [InlineData("Saudi Arabia", Dialect.SaudiArabia)]
    [InlineData("saudi-arabia", Dialect.SaudiArabia)]
    [InlineData(" SA ", Dialect.SaudiArabia)]
    [InlineData("United_Arab_Emirates", Dialect.Uae)]
    [InlineData("United Arab Emirates", Dialect.Uae)]
    [InlineData("UAE", Dialect.Uae)]
    [InlineData("AE", Dialect.Uae)]
    [InlineData("PS", Dialect.Palestine)]
    [InlineData("PL", Dialect.Palestine)]
    [InlineData("DZ", Dialect.Algeria)]
    [InlineData("egypt", Dialect.Egypt)]
    [InlineData("مصر", Dialect.Egypt)]
    [InlineData("SaudiArabia", Dialect.SaudiArabia)]
    public void Parses_spellings_found_in_data(string label, Dialect expected) => Assert.Equal(expected, Dialects.Parse(label));

    [Fact]
    public void Every_iso_code_parses_to_its_dialect()
    {
        foreach (var info in Dialects.Table)
            Assert.Equal(info.Dialect, Dialects.Parse(info.IsoCode));
        Assert.Equal("AE BH DZ EG IQ JO KW LB LY MA OM PS QA SA SD SY TN YE", string.Join(' ', Dialects.Table.Select(d => d.IsoCode).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Unknown_label_error_names_label_and_location()
    {
        var e = Assert.Throws<UnknownDialectException>(() => Dialects.Parse("Mauritania", "dev.tsv:17"));
        Assert.Equal("Mauritania", e.Label);
        Assert.Contains("'Mauritania'", e.Message);
        Assert.Contains("dev.tsv:17", e.Message);
        Assert.False(Dialects.TryParse("", out _));
        Assert.False(Dialects.TryParse(null, out _));
        Assert.Contains("Mauritania", Dialects.OutOfSetCountries);
    }

    [Fact]
    public void Regions_partition_the_dialects()
    {
        Assert.Equal([Dialect.Algeria, Dialect.Libya, Dialect.Morocco, Dialect.Tunisia], Dialects.In(Region.Maghreb));
        Assert.Equal([Dialect.Egypt, Dialect.Sudan], Dialects.In(Region.NileValley));
        Assert.Equal([Dialect.Jordan, Dialect.Lebanon, Dialect.Palestine, Dialect.Syria], Dialects.In(Region.Levant));
        Assert.Equal([Dialect.Bahrain, Dialect.Kuwait, Dialect.Oman, Dialect.Qatar, Dialect.SaudiArabia, Dialect.Uae], Dialects.In(Region.Gulf));
        Assert.Equal([Dialect.Iraq], Dialects.In(Region.Iraq));
        Assert.Equal([Dialect.Yemen], Dialects.In(Region.Yemen));
        Assert.Equal(18, Dialects.Regions.Sum(r => Dialects.In(r).Count));
    }

    [Fact]
    public void Roll_up_takes_max_or_mean_per_region()
    {
        var p = new float[18];
        p[(int)Dialect.Egypt] = 0.8f;
        p[(int)Dialect.Sudan] = 0.2f;
        p[(int)Dialect.Yemen] = 0.5f;
        var max = Dialects.RollUp(p);
        var mean = Dialects.RollUp(p, RegionAggregation.Mean);
        Assert.Equal(0.8, max[(int)Region.NileValley], 6);
        Assert.Equal(0.5, mean[(int)Region.NileValley], 6);
        Assert.Equal(0.5, max[(int)Region.Yemen], 6);
        Assert.Equal(0.0, max[(int)Region.Gulf], 6);
        Assert.Throws<ArgumentException>(() => Dialects.RollUp(new float[17]));
    }
}
