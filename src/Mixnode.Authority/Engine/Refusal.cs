using Mixnode.Pki;

namespace Mixnode.Authority.Engine;

/// <summary>Why a descriptor or message was refused: the reason tag the client gets and the counter counts, and a message for a person.</summary>
internal readonly record struct Refusal(PkiRefusal Reason, string Message);
