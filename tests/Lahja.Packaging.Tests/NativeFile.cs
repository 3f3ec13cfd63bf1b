using System.Reflection.PortableExecutable;

namespace Lahja.Packaging.Tests;

/// <summary>What platform a file in a package is native code for, read from its header; null for anything else.</summary>
internal static class NativeFile
{
    /// <summary>
    /// The RIDs (of linux-x64, linux-arm64, win-x64, win-arm64, osx-x64, osx-arm64) whose processes can load
    /// <paramref name="content"/>, or null when it is not native code (a managed assembly, data, text).
    /// </summary>
    public static IReadOnlySet<string>? Platforms(byte[] content)
    {
        if (content.Length < 64) return null;
        if (content[0] == 0x7F && content[1] == (byte)'E' && content[2] == (byte)'L' && content[3] == (byte)'F')
        {
            var machine = BitConverter.ToUInt16(content, 18);
            return new HashSet<string> { machine switch { 0x3E => "linux-x64", 0xB7 => "linux-arm64", _ => $"linux-machine-{machine:x}" } };
        }
        var magic = BitConverter.ToUInt32(content, 0);
        if (magic == 0xFEEDFACF) return new HashSet<string> { MachO(BitConverter.ToUInt32(content, 4)) };
        if (magic == 0xBEBAFECA) // a universal binary (big-endian header): every architecture it holds
        {
            var count = ReadBigEndian(content, 4);
            return Enumerable.Range(0, (int)count).Select(i => MachO(ReadBigEndian(content, 8 + i * 20))).ToHashSet();
        }
        if (content[0] == (byte)'M' && content[1] == (byte)'Z')
        {
            using var pe = new PEReader(new MemoryStream(content));
            if (pe.HasMetadata) return null;
            return new HashSet<string> { pe.PEHeaders.CoffHeader.Machine switch { Machine.Amd64 => "win-x64", Machine.Arm64 => "win-arm64", var m => $"win-machine-{m}" } };
        }
        return null;
    }

    private static string MachO(uint cpuType) => cpuType switch { 0x01000007 => "osx-x64", 0x0100000C => "osx-arm64", _ => $"osx-cpu-{cpuType:x}" };

    private static uint ReadBigEndian(byte[] content, int offset) =>
        (uint)(content[offset] << 24 | content[offset + 1] << 16 | content[offset + 2] << 8 | content[offset + 3]);
}
