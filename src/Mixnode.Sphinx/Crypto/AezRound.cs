using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Mixnode.Sphinx.Crypto;

/// <summary>
/// One full AES round (SubBytes, ShiftRows, MixColumns, AddRoundKey), the only primitive AEZ needs.
/// The AEZ code is generic over this so each backend gets its own specialised, fully inlined copy
/// and the choice between them costs nothing per block.
/// </summary>
internal interface IAezRound
{
    static abstract Vector128<byte> Round(Vector128<byte> state, Vector128<byte> roundKey);
}

/// <summary>AES-NI: AESENC is exactly one AEZ round.</summary>
internal readonly struct AezHardwareRound : IAezRound
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Round(Vector128<byte> state, Vector128<byte> roundKey) =>
        X86Aes.Encrypt(state, roundKey);
}

/// <summary>Portable software round for machines without AES-NI (and to test that path on machines with it).</summary>
internal readonly struct AezPortableRound : IAezRound
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Round(Vector128<byte> state, Vector128<byte> roundKey) =>
        AezSoftwareAes.Round(state, roundKey);
}
