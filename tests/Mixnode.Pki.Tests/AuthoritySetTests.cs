using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Mixnode.Pki.Tests;

public sealed class AuthoritySetTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 3)]
    [InlineData(9, 5)]
    public void The_majority_is_half_plus_one(int count, int majority) => Assert.Equal(majority, AuthoritySet.Majority(count));

    [Fact]
    public void A_threshold_below_a_majority_is_refused()
    {
        var authorities = Enumerable.Range(0, 4).Select(i => new AuthorityInfo($"a{i}", $"127.0.0.1:{31000 + i}", PkiFixtures.RandomKey())).ToList();
        var e = Assert.Throws<TopologyException>(() => new AuthoritySet(authorities, 2));
        Assert.Contains("at least a majority (3)", e.Message, StringComparison.Ordinal);
        Assert.Throws<TopologyException>(() => new AuthoritySet(authorities, 5));
    }

    [Fact]
    public void Duplicate_keys_and_names_are_refused()
    {
        var key = PkiFixtures.RandomKey();
        Assert.Contains("same public key", Assert.Throws<TopologyException>(() => new AuthoritySet([new("a", "127.0.0.1:1", key), new("b", "127.0.0.1:2", key)], 2)).Message, StringComparison.Ordinal);
        Assert.Contains("same name", Assert.Throws<TopologyException>(() => new AuthoritySet([new("a", "127.0.0.1:1", key), new("a", "127.0.0.1:2", PkiFixtures.RandomKey())], 2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_threshold_defaults_to_a_majority()
    {
        string json = $$"""{"authorities": [{"name": "a", "address": "127.0.0.1:1", "public_key": "{{Convert.ToBase64String(PkiFixtures.RandomKey().AsReadOnlySpan())}}"}, {"name": "b", "address": "127.0.0.1:2", "public_key": "{{Convert.ToBase64String(PkiFixtures.RandomKey().AsReadOnlySpan())}}"}, {"name": "c", "address": "127.0.0.1:3", "public_key": "{{Convert.ToBase64String(PkiFixtures.RandomKey().AsReadOnlySpan())}}"}]}""";
        Assert.Equal(2, AuthoritySet.Parse(Encoding.UTF8.GetBytes(json)).Threshold);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("{}", "'authorities' array")]
    [InlineData("{\"authorities\": []}", "no authorities listed")]
    [InlineData("{\"authorities\": [{\"name\": \"a\", \"address\": \"nowhere\", \"public_key\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}]}", "authorities[0]: address")]
    [InlineData("{\"authorities\": [{\"name\": \"a\", \"address\": \"127.0.0.1:1\", \"public_key\": \"AAAA\"}]}", "authorities[0]")]
    [InlineData("{\"authorities\": [{\"address\": \"127.0.0.1:1\"}]}", "authorities[0]")]
    [InlineData("{\"threshold\": \"two\", \"authorities\": [{\"name\": \"a\", \"address\": \"127.0.0.1:1\", \"public_key\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}]}", "'threshold' must be an integer")]
    public void Bad_files_are_refused_with_the_reason(string json, string expected)
    {
        var e = Assert.Throws<TopologyException>(() => AuthoritySet.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 50)]
    public Property The_file_round_trips(PositiveInt seed)
    {
        int count = 1 + (seed.Get % 7);
        var authorities = Enumerable.Range(0, count).Select(i => new AuthorityInfo($"auth-{i}", $"127.0.0.{1 + i}:{31000 + (seed.Get % 1000)}", PkiFixtures.RandomKey())).ToList();
        int threshold = AuthoritySet.Majority(count) + (seed.Get % (count - AuthoritySet.Majority(count) + 1));
        var set = new AuthoritySet(authorities, threshold);
        AuthoritySet back = AuthoritySet.Parse(set.ToUtf8Json());
        return (back.Threshold == set.Threshold && back.Authorities.SequenceEqual(set.Authorities)).ToProperty();
    }
}
