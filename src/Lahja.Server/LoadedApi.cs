namespace Lahja.Server;

/// <summary>The API once its model is loaded: the shared identifier, the batcher its requests go through, and <c>/v1/model</c>'s answer.</summary>
internal sealed record LoadedApi(DialectIdentifier Identifier, MicroBatcher Batcher, ModelDescription Description);
