namespace Lahja.Text;

/// <summary>How a batch is padded.</summary>
public enum PaddingMode
{
    /// <summary>No padding: sequences keep their own lengths (only valid for single texts or jagged use).</summary>
    None,
    /// <summary>Pad to the longest sequence of the batch (dynamic padding).</summary>
    Longest,
    /// <summary>Pad every sequence to the maximum length.</summary>
    MaxLength,
}
