using System.Reflection;
using Tangent.Build;

namespace Tangent.Tests.Native;

/// <summary>The ELF fix-up of build/ShimPatch, checked on the real TorchSharp 0.107.0 shim.</summary>
public class ShimPatcherTests
{
    private static readonly string OriginalPath = typeof(ShimPatcherTests)
        .Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TorchSharpShimOriginal")
        .Value!;

    /// <summary>Versions GCC 12's libstdc++ (Debian 12) defines: GLIBCXX_3.4 … 3.4.30, CXXABI_1.3 …
    /// 1.3.13.</summary>
    private static HashSet<string> Gcc12Versions() =>
        Enumerable
            .Range(0, 31)
            .Select(i => i == 0 ? "GLIBCXX_3.4" : $"GLIBCXX_3.4.{i}")
            .Concat(Enumerable.Range(0, 14).Select(i => i == 0 ? "CXXABI_1.3" : $"CXXABI_1.3.{i}"))
            .Append("CXXABI_TM_1")
            .Append("CXXABI_FLOAT128")
            .ToHashSet();

    private static byte[] Original()
    {
        Assert.True(File.Exists(OriginalPath), $"the unpatched shim is not at {OriginalPath}");
        return File.ReadAllBytes(OriginalPath);
    }

    [Fact]
    public void OriginalShimNeedsGlibcxx3432OnlyForIosBaseLibraryInit()
    {
        var plan = ShimPatcher.Plan(Original(), Gcc12Versions());
        Assert.Equal(ShimVerdict.Patchable, plan.Verdict);
        Assert.Equal(["GLIBCXX_3.4.32"], plan.MissingVersions);
    }

    [Fact]
    public void NoPatchWhereLibstdcxxHasGlibcxx3432()
    {
        var versions = Gcc12Versions();
        versions.Add("GLIBCXX_3.4.31");
        versions.Add("GLIBCXX_3.4.32");
        Assert.Equal(ShimVerdict.NotNeeded, ShimPatcher.Plan(Original(), versions).Verdict);
    }

    [Fact]
    public void UnknownMissingVersionIsRefusedWithItsName()
    {
        var versions = Gcc12Versions();
        versions.Remove("GLIBCXX_3.4.30");
        var plan = ShimPatcher.Plan(Original(), versions);
        Assert.Equal(ShimVerdict.Unsupported, plan.Verdict);
        Assert.Contains("GLIBCXX_3.4.30", plan.Reason);
    }

    [Fact]
    public void PatchedShimNeedsNothingGcc12Lacks()
    {
        var patched = ShimPatcher.Patch(Original());
        Assert.Equal(ShimVerdict.NotNeeded, ShimPatcher.Plan(patched, Gcc12Versions()).Verdict);
    }

    [Fact]
    public void PatchMakesExactlyTheThreeDocumentedEdits()
    {
        var original = Original();
        var patched = ShimPatcher.Patch(original);
        Assert.Equal(original.Length, patched.Length);
        var elf = new ElfImage(patched);
        var need = elf.VersionNeeds().Single(v => v.Name == ShimPatcher.MissingVersion);
        Assert.Equal(ElfImage.VerFlgWeak, need.Flags & ElfImage.VerFlgWeak);
        var symbol = elf.DynamicSymbols().Single(s => s.Name == ShimPatcher.Replacement);
        Assert.Equal(1, elf.VersionIndex(symbol));
        Assert.DoesNotContain(elf.DynamicSymbols(), s => s.Name == ShimPatcher.MissingSymbol);
        // Changed bytes: the flags (≤ 2), the version index (≤ 2), the name (≤ its length).
        int changed = original.Zip(patched).Count(p => p.First != p.Second);
        Assert.InRange(changed, 3, 2 + 2 + ShimPatcher.MissingSymbol.Length);
    }

    [Fact]
    public void PatchingIsDeterministic() => Assert.Equal(ShimPatcher.Patch(Original()), ShimPatcher.Patch(Original()));

    [Fact]
    public void UnexpectedLayoutIsRefused()
    {
        var bytes = Original();
        var elf = new ElfImage(bytes);
        var symbol = elf.DynamicSymbols().Single(s => s.Name == ShimPatcher.MissingSymbol);
        bytes[elf.DynStr().Offset + symbol.NameOffset + 5] = (byte)'X'; // a different symbol now needs the version
        Assert.Throws<InvalidDataException>(() => ShimPatcher.Patch(bytes));
        Assert.Equal(ShimVerdict.Unsupported, ShimPatcher.Plan(bytes, Gcc12Versions()).Verdict);
    }

    [Fact]
    public void NonElfInputIsRefused() =>
        Assert.Throws<InvalidDataException>(() => ShimPatcher.Plan(new byte[128], Gcc12Versions()));

    [Fact]
    public void SystemLibstdcxxVersionDefinitionsAreRead()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var path = ShimPatcher.FindSystemLibStdCxx();
        Assert.NotNull(path);
        var versions = new ElfImage(File.ReadAllBytes(path!)).DefinedVersions();
        Assert.Contains("GLIBCXX_3.4", versions);
        Assert.Contains("CXXABI_1.3", versions);
    }
}
