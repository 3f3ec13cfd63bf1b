using System.Collections.Frozen;
using System.Text;

namespace Lahja;

/// <summary>The dialect label set: canonical order, names, codes, parsing and the region roll-up.</summary>
public static class Dialects
{
    /// <summary>The number of dialects (the model's output size).</summary>
    public const int Count = 18;

    /// <summary>All dialects in the model's output order.</summary>
    public static IReadOnlyList<Dialect> All { get; } = Enum.GetValues<Dialect>();

    /// <summary>The label table, indexed by <see cref="Dialect"/>.</summary>
    public static IReadOnlyList<DialectInfo> Table { get; } =
    [
        new(Dialect.Algeria, "Algeria", "Algeria", "الجزائر", "DZ", Region.Maghreb),
        new(Dialect.Bahrain, "Bahrain", "Bahrain", "البحرين", "BH", Region.Gulf),
        new(Dialect.Egypt, "Egypt", "Egypt", "مصر", "EG", Region.NileValley),
        new(Dialect.Iraq, "Iraq", "Iraq", "العراق", "IQ", Region.Iraq),
        new(Dialect.Jordan, "Jordan", "Jordan", "الأردن", "JO", Region.Levant),
        new(Dialect.Kuwait, "Kuwait", "Kuwait", "الكويت", "KW", Region.Gulf),
        new(Dialect.Lebanon, "Lebanon", "Lebanon", "لبنان", "LB", Region.Levant),
        new(Dialect.Libya, "Libya", "Libya", "ليبيا", "LY", Region.Maghreb),
        new(Dialect.Morocco, "Morocco", "Morocco", "المغرب", "MA", Region.Maghreb),
        new(Dialect.Oman, "Oman", "Oman", "عمان", "OM", Region.Gulf),
        new(Dialect.Palestine, "Palestine", "Palestine", "فلسطين", "PS", Region.Levant),
        new(Dialect.Qatar, "Qatar", "Qatar", "قطر", "QA", Region.Gulf),
        new(Dialect.SaudiArabia, "Saudi_Arabia", "Saudi Arabia", "السعودية", "SA", Region.Gulf),
        new(Dialect.Sudan, "Sudan", "Sudan", "السودان", "SD", Region.NileValley),
        new(Dialect.Syria, "Syria", "Syria", "سوريا", "SY", Region.Levant),
        new(Dialect.Tunisia, "Tunisia", "Tunisia", "تونس", "TN", Region.Maghreb),
        new(Dialect.Uae, "UAE", "United Arab Emirates", "الإمارات", "AE", Region.Gulf),
        new(Dialect.Yemen, "Yemen", "Yemen", "اليمن", "YE", Region.Yemen),
    ];

    /// <summary>All regions, in roll-up display order.</summary>
    public static IReadOnlyList<Region> Regions { get; } = Enum.GetValues<Region>();

    /// <summary>
    /// Countries that occur in NADI data but are outside the 18 (NADI 2021 dev has them). Data readers count and
    /// skip rows with these labels instead of failing.
    /// </summary>
    public static IReadOnlySet<string> OutOfSetCountries { get; } =
        new[] { "Djibouti", "Mauritania", "Somalia" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, Dialect> Spellings = BuildSpellings();

    private static readonly Dialect[][] RegionMembers =
        Regions.Select(r => All.Where(d => Table[(int)d].Region == r).ToArray()).ToArray();

    /// <summary>The table entry of <paramref name="dialect"/>.</summary>
    public static DialectInfo Info(this Dialect dialect) => Table[(int)dialect];

    /// <summary>The canonical label of <paramref name="dialect"/> (<c>Saudi_Arabia</c>, <c>UAE</c>, …).</summary>
    public static string Label(this Dialect dialect) => Table[(int)dialect].Label;

    /// <summary>The dialects of <paramref name="region"/>, in output order.</summary>
    public static IReadOnlyList<Dialect> In(Region region) => RegionMembers[(int)region];

    /// <summary>The English display name of <paramref name="region"/>.</summary>
    public static string EnglishName(this Region region) => region switch
    {
        Region.NileValley => "Nile Valley",
        _ => region.ToString(),
    };

    /// <summary>The Arabic display name of <paramref name="region"/>.</summary>
    public static string ArabicName(this Region region) => region switch
    {
        Region.Maghreb => "المغرب العربي",
        Region.NileValley => "وادي النيل",
        Region.Levant => "بلاد الشام",
        Region.Gulf => "الخليج",
        Region.Iraq => "العراق",
        _ => "اليمن",
    };

    /// <summary>
    /// Parses a dialect label as spelled in data: canonical labels, English names with spaces, underscores or
    /// hyphens in any case (<c>Saudi Arabia</c>, <c>United_Arab_Emirates</c>), ISO codes (and <c>PL</c>, which NADI
    /// material uses for Palestine), and the Arabic names.
    /// </summary>
    /// <param name="text">The label.</param>
    /// <param name="location">Where the label was found, for the error message (for example <c>train.tsv:12</c>).</param>
    /// <exception cref="UnknownDialectException">The label names none of the 18 dialects.</exception>
    public static Dialect Parse(string text, string? location = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var dialect) ? dialect : throw new UnknownDialectException(text, location);
    }

    /// <summary>Parses like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string? text, out Dialect dialect)
    {
        dialect = default;
        return text is not null && Spellings.TryGetValue(Canonicalize(text), out dialect);
    }

    /// <summary>
    /// Aggregates the 18 probabilities (in output order) into one value per region, in <see cref="Regions"/> order.
    /// </summary>
    public static double[] RollUp(ReadOnlySpan<float> probabilities, RegionAggregation aggregation = RegionAggregation.Max)
    {
        if (probabilities.Length != Count)
            throw new ArgumentException($"Expected {Count} probabilities, got {probabilities.Length}.", nameof(probabilities));
        var result = new double[RegionMembers.Length];
        for (var r = 0; r < RegionMembers.Length; r++)
        {
            var members = RegionMembers[r];
            double value = aggregation == RegionAggregation.Max ? double.NegativeInfinity : 0;
            foreach (var d in members)
            {
                var p = probabilities[(int)d];
                value = aggregation == RegionAggregation.Max ? Math.Max(value, p) : value + p;
            }
            result[r] = aggregation == RegionAggregation.Max ? value : value / members.Length;
        }
        return result;
    }

    private static string Canonicalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
            builder.Append(c is '_' or '-' or ' ' ? ' ' : char.ToUpperInvariant(c));
        // Collapse runs of separators so "Saudi__Arabia" and "Saudi Arabia" meet.
        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static FrozenDictionary<string, Dialect> BuildSpellings()
    {
        var map = new Dictionary<string, Dialect>();
        void Add(string spelling, Dialect d) => map[Canonicalize(spelling)] = d;
        foreach (var info in Table)
        {
            Add(info.Label, info.Dialect);
            Add(info.EnglishName, info.Dialect);
            Add(info.IsoCode, info.Dialect);
            Add(info.ArabicName, info.Dialect);
            Add(info.Dialect.ToString(), info.Dialect);
        }
        Add("PL", Dialect.Palestine);
        Add("KSA", Dialect.SaudiArabia);
        Add("Emirates", Dialect.Uae);
        return map.ToFrozenDictionary();
    }
}
