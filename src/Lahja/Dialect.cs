namespace Lahja;

/// <summary>
/// The 18 country dialects B2BERT distinguishes. The numeric value of each member is its index in the
/// model's output vector (the order of <c>id2label</c> in B2BERT and of the NADI 2024 scorer files).
/// </summary>
public enum Dialect
{
    /// <summary>Algerian Arabic (index 0).</summary>
    Algeria = 0,
    /// <summary>Bahraini Arabic (index 1).</summary>
    Bahrain,
    /// <summary>Egyptian Arabic (index 2).</summary>
    Egypt,
    /// <summary>Iraqi Arabic (index 3).</summary>
    Iraq,
    /// <summary>Jordanian Arabic (index 4).</summary>
    Jordan,
    /// <summary>Kuwaiti Arabic (index 5).</summary>
    Kuwait,
    /// <summary>Lebanese Arabic (index 6).</summary>
    Lebanon,
    /// <summary>Libyan Arabic (index 7).</summary>
    Libya,
    /// <summary>Moroccan Arabic (index 8).</summary>
    Morocco,
    /// <summary>Omani Arabic (index 9).</summary>
    Oman,
    /// <summary>Palestinian Arabic (index 10).</summary>
    Palestine,
    /// <summary>Qatari Arabic (index 11).</summary>
    Qatar,
    /// <summary>Saudi Arabic (index 12); label <c>Saudi_Arabia</c>.</summary>
    SaudiArabia,
    /// <summary>Sudanese Arabic (index 13).</summary>
    Sudan,
    /// <summary>Syrian Arabic (index 14).</summary>
    Syria,
    /// <summary>Tunisian Arabic (index 15).</summary>
    Tunisia,
    /// <summary>Emirati Arabic (index 16); label <c>UAE</c>.</summary>
    Uae,
    /// <summary>Yemeni Arabic (index 17).</summary>
    Yemen,
}

/// <summary>Geographic groups of dialects, for views that aggregate the 18 probabilities.</summary>
public enum Region
{
    /// <summary>Algeria, Libya, Morocco, Tunisia.</summary>
    Maghreb,
    /// <summary>Egypt, Sudan.</summary>
    NileValley,
    /// <summary>Jordan, Lebanon, Palestine, Syria.</summary>
    Levant,
    /// <summary>Bahrain, Kuwait, Oman, Qatar, Saudi Arabia, UAE.</summary>
    Gulf,
    /// <summary>Iraq alone.</summary>
    Iraq,
    /// <summary>Yemen alone.</summary>
    Yemen,
}

/// <summary>How <see cref="Dialects.RollUp"/> combines the probabilities of a region's dialects.</summary>
public enum RegionAggregation
{
    /// <summary>The largest member probability: "valid in at least one of them", without assuming independence.</summary>
    Max,
    /// <summary>The plain mean of the member probabilities.</summary>
    Mean,
}

/// <summary>Everything the project knows about one dialect.</summary>
/// <param name="Dialect">The dialect.</param>
/// <param name="Label">The canonical label used by NADI and B2BERT (<c>Saudi_Arabia</c>, <c>UAE</c>, …).</param>
/// <param name="EnglishName">Display name in English.</param>
/// <param name="ArabicName">Display name in Arabic.</param>
/// <param name="IsoCode">ISO 3166-1 alpha-2 code of the country.</param>
/// <param name="Region">The region the dialect rolls up into.</param>
public sealed record DialectInfo(Dialect Dialect, string Label, string EnglishName, string ArabicName, string IsoCode, Region Region)
{
    /// <summary>The index of the dialect in the model's output vector.</summary>
    public int Index => (int)Dialect;
}

/// <summary>A label in a data file or request that names none of the 18 dialects.</summary>
public sealed class UnknownDialectException : FormatException
{
    /// <summary>Creates the exception for <paramref name="label"/> found at <paramref name="location"/>.</summary>
    public UnknownDialectException(string label, string? location)
        : base($"Unknown dialect label '{label}'{(location is null ? "" : $" at {location}")}. "
               + $"Expected one of: {string.Join(", ", Dialects.Table.Select(d => d.Label))} (names, ISO codes or Arabic names).")
    {
        Label = label;
        Location = location;
    }

    /// <summary>The label as it was found.</summary>
    public string Label { get; }

    /// <summary>Where it was found (file and line, request field, …), when known.</summary>
    public string? Location { get; }
}
