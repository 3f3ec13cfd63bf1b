namespace Lahja.Packaging.Tests;

/// <summary>The tests that share one pack and one install, run one at a time (one damages its own copy of the tool).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection : ICollectionFixture<PackedLahja>
{
    public const string Name = "packed solution";
}
