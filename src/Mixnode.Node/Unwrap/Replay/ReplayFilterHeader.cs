using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Mixnode.Node.Unwrap.Replay;

/// <summary>
/// The first 4096 bytes of a replay-filter file (one page, so the bit array is page aligned). Little-endian:
/// magic(8) ‖ version(4) ‖ header length(4) ‖ block bits(4) ‖ blocks per entry(4) ‖ k(4) ‖ 0(4) ‖
/// block count(8) ‖ capacity(8) ‖ target FP (IEEE double, 8) ‖ hashing key(16) ‖ SHA-256 of the above(32);
/// at <see cref="CountOffset"/> the entry count at the last flush (outside the checksum, as it changes).
/// </summary>
internal static class ReplayFilterHeader
{
    public const int Length = 4096;
    public const int Version = 1;
    public const int KeyLength = 16;
    public const int CountOffset = 128;

    private const int KeyOffset = 56;
    private const int ChecksumOffset = KeyOffset + KeyLength;
    private const int ChecksumLength = 32;

    private static ReadOnlySpan<byte> Magic => "MXREPLAY"u8;

    public const int IdentityLength = ChecksumLength;

    public static long FileLength(ReplayFilterLayout layout) => Length + layout.BitArrayBytes;

    /// <summary>
    /// What tells one filter file from any other: the header checksum, which covers the random hashing key, so two
    /// filters share it only if one is a copy of the other. Not secret (a SHA-256 of the key, not the key).
    /// </summary>
    public static byte[] Identity(ReadOnlySpan<byte> header) => header.Slice(ChecksumOffset, ChecksumLength).ToArray();

    public static void Write(Span<byte> header, ReplayFilterLayout layout, ReadOnlySpan<byte> key)
    {
        header[..Length].Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], ReplayFilterLayout.BlockBits);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], ReplayFilterLayout.BlocksPerEntry);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], layout.BitsPerBlock);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], layout.BlockCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[40..], layout.Capacity);
        BinaryPrimitives.WriteDoubleLittleEndian(header[48..], layout.TargetFalsePositiveRate);
        key.CopyTo(header[KeyOffset..]);
        SHA256.HashData(header[..ChecksumOffset], header.Slice(ChecksumOffset, ChecksumLength));
    }

    /// <summary>Checks a header read from <paramref name="path"/> against the configured layout; returns the key.</summary>
    public static byte[] Validate(string path, ReadOnlySpan<byte> header, long fileLength, ReplayFilterLayout expected)
    {
        if (header.Length < Length || fileLength < Length)
        {
            throw new ReplayFilterFileException(path, ReplayFilterFileError.Truncated, $"{fileLength} bytes, shorter than the {Length}-byte header");
        }

        if (!header[..Magic.Length].SequenceEqual(Magic))
        {
            throw new ReplayFilterFileException(path, ReplayFilterFileError.NotAReplayFilter, "not a replay filter (bad magic)");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != Version)
        {
            throw new ReplayFilterFileException(path, ReplayFilterFileError.UnsupportedVersion, $"version {version}, this node reads version {Version}");
        }

        Span<byte> checksum = stackalloc byte[ChecksumLength];
        SHA256.HashData(header[..ChecksumOffset], checksum);
        if (!checksum.SequenceEqual(header.Slice(ChecksumOffset, ChecksumLength)))
        {
            throw new ReplayFilterFileException(path, ReplayFilterFileError.CorruptHeader, "header checksum mismatch (damaged file)");
        }

        int blockBits = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        int blocksPerEntry = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        int k = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        long blockCount = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
        long capacity = BinaryPrimitives.ReadInt64LittleEndian(header[40..]);
        double rate = BinaryPrimitives.ReadDoubleLittleEndian(header[48..]);
        if (blockBits != ReplayFilterLayout.BlockBits || blocksPerEntry != ReplayFilterLayout.BlocksPerEntry ||
            k != expected.BitsPerBlock || blockCount != expected.BlockCount || capacity != expected.Capacity ||
            BitConverter.DoubleToInt64Bits(rate) != BitConverter.DoubleToInt64Bits(expected.TargetFalsePositiveRate))
        {
            throw new ReplayFilterFileException(path, ReplayFilterFileError.ParameterMismatch, string.Create(CultureInfo.InvariantCulture,
                $"made for capacity {capacity}, false-positive rate {rate:R} ({blockCount} blocks of {blockBits} bits, {blocksPerEntry}×{k} bits per tag); " +
                $"configured: capacity {expected.Capacity}, rate {expected.TargetFalsePositiveRate:R} ({expected.BlockCount} blocks, " +
                $"{ReplayFilterLayout.BlocksPerEntry}×{expected.BitsPerBlock} bits per tag)"));
        }

        long wanted = FileLength(expected);
        if (fileLength != wanted)
        {
            throw new ReplayFilterFileException(path, ReplayFilterFileError.WrongFileSize, $"{fileLength} bytes, expected {wanted}");
        }

        return header.Slice(KeyOffset, KeyLength).ToArray();
    }
}
