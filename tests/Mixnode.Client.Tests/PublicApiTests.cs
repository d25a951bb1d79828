using System.Reflection;
using System.Text;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;

namespace Mixnode.Client.Tests;

/// <summary>
/// The library's public face: what it depends on and exactly what it exposes. A change to the public API fails
/// <see cref="The_public_surface_is_the_approved_one"/> until the approved list below is updated with it, so that
/// every API change is a deliberate one, seen in review.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly s_library = typeof(MixnetClient).Assembly;

    /// <summary>The approved public surface: types, then their public members, as <see cref="Surface"/> writes them.</summary>
    private const string Approved = """
        class Mixnode.Client.ClientException
          .ctor()
          .ctor(String)
          .ctor(String, Exception)
        class Mixnode.Client.DirectoryAuthorities
          .ctor(IEnumerable<DirectoryAuthority>, Int32)
          property IReadOnlyList<DirectoryAuthority> Authorities { get; }
          property Int32 Threshold { get; }
          static DirectoryAuthorities Load(String)
          static DirectoryAuthorities Parse(ReadOnlyMemory<Byte>)
        class Mixnode.Client.DirectoryAuthority
          .ctor(String, String, String)
          property String Address { get; }
          property String Name { get; }
          property String PublicKey { get; }
        struct Mixnode.Client.MixnetAddress
          .ctor(String, ReadOnlySpan<Byte>)
          Boolean Equals(MixnetAddress)
          Boolean Equals(Object)
          Int32 GetHashCode()
          String ToString()
          const Int32 RecipientIdLength
          property ReadOnlyMemory<Byte> RecipientId { get; }
          property String ProviderName { get; }
          static Boolean TryParse(String, MixnetAddress&)
          static Boolean op_Equality(MixnetAddress, MixnetAddress)
          static Boolean op_Inequality(MixnetAddress, MixnetAddress)
          static MixnetAddress Parse(String)
        class Mixnode.Client.MixnetClient
          ValueTask DisposeAsync()
          ValueTask SendAsync(MixnetAddress, ReadOnlyMemory<Byte>, CancellationToken)
          ValueTask<Guid> SendEchoAsync(ReadOnlyMemory<Byte>, CancellationToken)
          event EventHandler<NetworkChangedEventArgs> NetworkChanged
          event EventHandler<ProviderChangedEventArgs> ProviderChanged
          property Boolean IsConnected { get; }
          property ChannelReader<ReceivedMessage> Messages { get; }
          property Int32 EpochChanges { get; }
          property Int32 MaxEchoPayloadLength { get; }
          property Int32 MaxMessageLength { get; }
          property Int64 CurrentEpoch { get; }
          property MixnetAddress Address { get; }
          property NetworkView Network { get; }
          static Task<MixnetClient> ConnectAsync(MixnetClientOptions, CancellationToken)
        class Mixnode.Client.MixnetClientOptions
          .ctor()
          property Boolean CoverTraffic { get; init; }
          property Boolean FollowEpochs { get; init; }
          property Boolean MoveWhenProviderLeaves { get; init; }
          property DirectoryAuthorities Authorities { get; init; }
          property Nullable<Double> LoopRatePerSecond { get; init; }
          property Nullable<Double> PayloadRatePerSecond { get; init; }
          property String ProviderName { get; init; }
          property String TopologyAuthorityKey { get; init; }
          property String TopologyPath { get; init; }
          property TimeProvider TimeProvider { get; init; }
          property TimeSpan AuthorityRequestTimeout { get; init; }
          property TimeSpan ConnectTimeout { get; init; }
          property TimeSpan DocumentTimeout { get; init; }
          property TimeSpan PollInterval { get; init; }
        class Mixnode.Client.NetworkChangedEventArgs
          property Int64 PreviousEpoch { get; }
          property NetworkView Network { get; }
        class Mixnode.Client.NetworkView
          property IReadOnlyList<Int32> MixesPerLayer { get; }
          property IReadOnlyList<ProviderInfo> Providers { get; }
          property Int32 MaxMessageLength { get; }
          property Int64 Epoch { get; }
          property Int64 FirstEpoch { get; }
          property Int64 LastEpoch { get; }
          property TimeSpan EpochPeriod { get; }
        class Mixnode.Client.ProviderChangedEventArgs
          property MixnetAddress Address { get; }
          property MixnetAddress PreviousAddress { get; }
          property NetworkView Network { get; }
        class Mixnode.Client.ProviderInfo
          property String ClientAddress { get; }
          property String Id { get; }
          property String Name { get; }
        class Mixnode.Client.ReceivedMessage
          property Nullable<Guid> ReplyTo { get; }
          property ReadOnlyMemory<Byte> Payload { get; }
          property ReceivedMessageKind Kind { get; }
        enum Mixnode.Client.ReceivedMessageKind
          const ReceivedMessageKind EchoReply
          const ReceivedMessageKind Message
        """;

    [Fact]
    public void The_library_does_not_reference_the_node()
    {
        string[] references = [.. s_library.GetReferencedAssemblies().Select(a => a.Name!)];
        Assert.DoesNotContain(references, r => r.StartsWith("Mixnode.Node", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal));
        Assert.Contains("Mixnode.Sphinx", references);
    }

    [Fact]
    public void The_public_surface_is_the_approved_one()
    {
        string actual = Surface(s_library);
        Assert.True(
            Normalize(Approved) == Normalize(actual),
            "The public API changed. If that is deliberate, update PublicApiTests.Approved to:\n" + actual);
    }

    [Fact]
    public void Public_members_expose_no_internal_type()
    {
        foreach (Type type in s_library.GetExportedTypes())
        {
            foreach (MemberInfo member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                foreach (Type used in TypesOf(member).SelectMany(Flatten))
                {
                    Assert.True(used.IsVisible, $"{type.Name}.{member.Name} exposes {used.FullName}, which is not public");
                }
            }
        }
    }

    /// <summary>The numbers docs/client.md states for the default geometry: a change here is a change of the protocol description.</summary>
    [Fact]
    public void The_documented_numbers_of_the_default_geometry_hold()
    {
        SphinxGeometry geometry = SphinxGeometry.Default;
        Assert.Equal(5, geometry.NrHops);
        Assert.Equal(476, geometry.HeaderLength);
        Assert.Equal(2574, geometry.ForwardPayloadLength);
        Assert.Equal(2606, geometry.PayloadLength);
        Assert.Equal(3082, geometry.PacketLength);
        Assert.Equal(572, geometry.SurbLength);
        WireFraming framing = ClientLinkProtocol.Framing(geometry);
        Assert.Equal(3088, framing.CommandSize);
        byte[] prologue = ClientLinkProtocol.Prologue(framing);
        Assert.Equal([.. "mixnode-client/1"u8, 0x00, 0x00, 0x0C, 0x10], prologue);
        Assert.Equal(1, ClientLinkProtocol.ClientAddressIndex);
        Assert.Equal([.. "echo"u8, .. new byte[28]], ServiceRecipients.Echo.AsReadOnlySpan().ToArray());
    }

    private static string Normalize(string text) =>
        string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).Select(l => l.Trim()));

    private static string Surface(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            string kind = type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsInterface ? "interface" : "class";
            text.Append(kind).Append(' ').Append(type.FullName).Append('\n');
            IEnumerable<string> members = type
                .GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Select(Describe)
                .OfType<string>()
                .Order(StringComparer.Ordinal);
            foreach (string member in members)
            {
                text.Append("  ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string? Describe(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"{(c.IsStatic ? "static " : "")}.ctor({Parameters(c)})",
        MethodInfo m when m.IsSpecialName && !m.Name.StartsWith("op_", StringComparison.Ordinal) => null,
        MethodInfo m => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}({Parameters(m)})",
        PropertyInfo p => $"property {Name(p.PropertyType)} {p.Name} {{ {Accessors(p)} }}",
        FieldInfo f when f.IsSpecialName => null,
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type t => $"nested {t.Name}",
        _ => member.ToString(),
    };

    private static string Accessors(PropertyInfo property)
    {
        var parts = new List<string>();
        if (property.GetMethod is { IsPublic: true })
        {
            parts.Add("get;");
        }

        if (property.SetMethod is { IsPublic: true } setter)
        {
            bool init = setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");
            parts.Add(init ? "init;" : "set;");
        }

        return string.Join(' ', parts);
    }

    private static string Parameters(MethodBase method) => string.Join(", ", method.GetParameters().Select(p => Name(p.ParameterType)));

    private static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!) + "&";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        string name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>";
    }

    private static IEnumerable<Type> TypesOf(MemberInfo member) => member switch
    {
        MethodBase m => m.GetParameters().Select(p => p.ParameterType).Concat(m is MethodInfo mi ? [mi.ReturnType] : []),
        PropertyInfo p => [p.PropertyType],
        FieldInfo f => [f.FieldType],
        EventInfo e => [e.EventHandlerType!],
        _ => [],
    };

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            return Flatten(type.GetElementType()!);
        }

        return type.IsGenericType ? [type, .. type.GetGenericArguments().SelectMany(Flatten)] : [type];
    }
}
