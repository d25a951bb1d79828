using System.Text.Json;
using System.Text.Json.Nodes;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;

namespace Mixnode.Node.Tests.Keys;

public sealed class NodeDescriptorTests
{
    [Fact]
    public void Json_uses_snake_case_hex_id_and_base64_keys()
    {
        NodeDescriptor node = TestNetwork.Node("mix-1", NodeRole.Mix, 2, 30001);
        using JsonDocument json = JsonDocument.Parse(node.ToJson());
        JsonElement root = json.RootElement;
        Assert.Equal("mix-1", root.GetProperty("name").GetString());
        Assert.Equal(node.Id.ToString(), root.GetProperty("id").GetString());
        Assert.Equal(Convert.ToBase64String(node.IdentityKey.AsReadOnlySpan()), root.GetProperty("identity_key").GetString());
        Assert.Equal(Convert.ToBase64String(node.LinkKey.AsReadOnlySpan()), root.GetProperty("link_key").GetString());
        Assert.Equal("127.0.0.1:30001", root.GetProperty("addresses")[0].GetString());
        Assert.Equal("mix", root.GetProperty("role").GetString());
        Assert.Equal(2, root.GetProperty("layer").GetInt32());
        Assert.Equal(3, root.GetProperty("mix_keys").EnumerateObject().Count());
        Assert.DoesNotContain("\\u002B", node.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Providers_have_no_layer_field()
    {
        NodeDescriptor node = TestNetwork.Node("p", NodeRole.Provider, 0, 30001);
        Assert.DoesNotContain("\"layer\"", node.ToJson(), StringComparison.Ordinal);
        Assert.Equal(NodeDescriptor.NoLayer, NodeDescriptor.Parse(node.ToJson()).Layer);
    }

    [Theory]
    [InlineData("name", null, "missing field 'name'")]
    [InlineData("link_key", null, "missing field 'link_key'")]
    [InlineData("link_key", "AAAA", "holds 3 bytes")]
    [InlineData("identity_key", "***", "not valid base64")]
    [InlineData("role", "relay", "role must be \"mix\" or \"provider\"")]
    [InlineData("layer", null, "missing field 'layer'")]
    [InlineData("id", "00", "id is not BLAKE2b-256 of its identity_key")]
    [InlineData("name", "bad name!", "may only hold letters")]
    public void Bad_fields_are_named(string field, string? value, string expected)
    {
        JsonObject json = JsonNode.Parse(TestNetwork.Node("mix-1", NodeRole.Mix, 0, 30001).ToJson())!.AsObject();
        if (value is null)
        {
            json.Remove(field);
        }
        else
        {
            json[field] = value;
        }

        var e = Assert.Throws<FormatException>(() => NodeDescriptor.Parse(json.ToJsonString()));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1:30000")]
    public void Bad_addresses_are_refused(string address) =>
        Assert.NotNull(NodeDescriptor.ValidateAddress(address));

    [Theory]
    [InlineData("127.0.0.1:30000")]
    [InlineData("mix.example.org:443")]
    [InlineData("[::1]:30000")]
    public void Good_addresses_pass(string address) =>
        Assert.Null(NodeDescriptor.ValidateAddress(address));
}
