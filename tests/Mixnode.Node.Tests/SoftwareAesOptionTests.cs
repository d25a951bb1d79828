using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests;

/// <summary>Without AES-NI the options fail validation (so the node does not start) unless software AES is allowed.</summary>
public sealed class SoftwareAesOptionTests
{
    [Fact]
    public void Without_aes_ni_validation_fails_naming_the_option()
    {
        var options = new NodeOptions();
        var result = new NodeOptionsValidator(aesHardware: false).Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Mixnode:AllowSoftwareAes=true", StringComparison.Ordinal)
            && f.Contains("cache timing", StringComparison.Ordinal));
    }

    [Fact]
    public void Allowed_or_with_aes_ni_there_is_no_aes_failure()
    {
        Assert.DoesNotContain(Failures(new NodeOptionsValidator(aesHardware: false), new NodeOptions { AllowSoftwareAes = true }), IsAes);
        Assert.DoesNotContain(Failures(new NodeOptionsValidator(aesHardware: true), new NodeOptions()), IsAes);
    }

    [Fact]
    public void The_default_validator_follows_the_aes_backend_in_use()
    {
        bool refused = Failures(new NodeOptionsValidator(), new NodeOptions()).Any(IsAes);
        Assert.Equal(!AesBackend.IsHardwareAccelerated, refused);
    }

    [Fact]
    public void The_refusal_is_a_pure_rule()
    {
        Assert.Null(AesBackend.Refusal(allowSoftware: false, hardware: true, "X"));
        Assert.Null(AesBackend.Refusal(allowSoftware: true, hardware: false, "X"));
        Assert.Contains("X=true", AesBackend.Refusal(allowSoftware: false, hardware: false, "X"), StringComparison.Ordinal);
    }

    private static bool IsAes(string failure) => failure.Contains("AllowSoftwareAes", StringComparison.Ordinal);

    private static IEnumerable<string> Failures(NodeOptionsValidator validator, NodeOptions options) =>
        validator.Validate(null, options).Failures ?? [];
}
