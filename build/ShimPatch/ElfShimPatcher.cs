// Build-time fix-up for TorchSharp's native shim (libLibTorchSharp.so) on systems whose
// libstdc++ is older than the one the shim was linked against (Debian 12 ships GCC 12's
// libstdc++, which lacks GLIBCXX_3.4.32). Compiled twice: as an MSBuild inline task by
// build/TorchSharpShim.targets, and into the test project (TANGENT_SHIM_TESTS) so the
// ELF logic is tested on the real shim. Uses only the BCL: no patchelf, no Python.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Tangent.Build
{
    /// <summary>What the patcher decided for one shim against one libstdc++.</summary>
    public enum ShimVerdict
    {
        /// <summary>Every version the shim needs from libstdc++ is defined: leave the shim alone.</summary>
        NotNeeded,
        /// <summary>Only GLIBCXX_3.4.32 is missing and only std::ios_base_library_init needs it.</summary>
        Patchable,
        /// <summary>The shim needs something this patcher does not know how to neutralize.</summary>
        Unsupported,
    }

    /// <summary>The decision, with the reason in words (shown in the build log).</summary>
    public sealed class ShimPlan
    {
        public ShimPlan(ShimVerdict verdict, string reason, IReadOnlyList<string> missingVersions)
        {
            Verdict = verdict;
            Reason = reason;
            MissingVersions = missingVersions;
        }

        public ShimVerdict Verdict { get; }
        public string Reason { get; }
        public IReadOnlyList<string> MissingVersions { get; }
    }

    /// <summary>
    /// Minimal little-endian ELF64 reader for the dynamic-linking tables the fix-up touches:
    /// .dynsym, .dynstr, .gnu.version (versym), .gnu.version_r (verneed), .gnu.version_d (verdef).
    /// </summary>
    public sealed class ElfImage
    {
        public const uint ShtDynsym = 11;
        public const uint ShtGnuVerdef = 0x6ffffffd;
        public const uint ShtGnuVerneed = 0x6ffffffe;
        public const uint ShtGnuVersym = 0x6fffffff;
        public const ushort VerFlgWeak = 0x2;

        public sealed class Section
        {
            public int Index;
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
            public long EntSize;
        }

        public sealed class Symbol
        {
            public int Index;
            public uint NameOffset;
            public string Name = "";
            public ushort SectionIndex;
            public long EntryOffset;
        }

        public sealed class VersionNeed
        {
            public string File = "";
            public string Name = "";
            public uint NameOffset;
            public ushort Flags;
            public ushort Other;
            public long FlagsOffset;
        }

        public byte[] Bytes { get; }
        public IReadOnlyList<Section> Sections { get; }

        public ElfImage(byte[] bytes)
        {
            Bytes = bytes;
            if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (bytes[4] != 2 || bytes[5] != 1)
                throw new InvalidDataException("not a little-endian 64-bit ELF file");
            long shoff = (long)U64(0x28);
            int shentsize = U16(0x3A);
            int shnum = U16(0x3C);
            if (shoff <= 0 || shentsize != 64 || shoff + (long)shnum * shentsize > bytes.Length)
                throw new InvalidDataException("ELF section header table is missing or truncated");
            var sections = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                var s = new Section
                {
                    Index = i,
                    Type = U32(h + 4),
                    Offset = (long)U64(h + 24),
                    Size = (long)U64(h + 32),
                    Link = U32(h + 40),
                    Info = U32(h + 44),
                    EntSize = (long)U64(h + 56),
                };
                if (s.Type != 8 /* NOBITS */ && s.Offset + s.Size > bytes.Length)
                    throw new InvalidDataException($"ELF section {i} extends past the end of the file");
                sections.Add(s);
            }
            Sections = sections;
        }

        public ushort Machine => U16(0x12);

        public ushort U16(long at) => (ushort)(Bytes[at] | Bytes[at + 1] << 8);
        public uint U32(long at) => (uint)(Bytes[at] | Bytes[at + 1] << 8 | Bytes[at + 2] << 16 | Bytes[at + 3] << 24);
        public ulong U64(long at) => U32(at) | (ulong)U32(at + 4) << 32;

        public void W16(long at, ushort v) { Bytes[at] = (byte)v; Bytes[at + 1] = (byte)(v >> 8); }

        public Section? FindSection(uint type) => Sections.FirstOrDefault(s => s.Type == type);

        public string CString(Section strtab, uint offset)
        {
            long start = strtab.Offset + offset;
            long end = start;
            long limit = strtab.Offset + strtab.Size;
            while (end < limit && Bytes[end] != 0) end++;
            if (end >= limit) throw new InvalidDataException("unterminated string in ELF string table");
            return Encoding.ASCII.GetString(Bytes, (int)start, (int)(end - start));
        }

        public Section DynStr()
        {
            var dynsym = FindSection(ShtDynsym) ?? throw new InvalidDataException("no .dynsym section");
            return Sections[(int)dynsym.Link];
        }

        public List<Symbol> DynamicSymbols()
        {
            var dynsym = FindSection(ShtDynsym) ?? throw new InvalidDataException("no .dynsym section");
            var strtab = Sections[(int)dynsym.Link];
            if (dynsym.EntSize != 24) throw new InvalidDataException("unexpected .dynsym entry size");
            var result = new List<Symbol>();
            for (int i = 0; i < dynsym.Size / 24; i++)
            {
                long e = dynsym.Offset + i * 24L;
                uint name = U32(e);
                result.Add(new Symbol
                {
                    Index = i,
                    NameOffset = name,
                    Name = CString(strtab, name),
                    SectionIndex = U16(e + 6),
                    EntryOffset = e,
                });
            }
            return result;
        }

        /// <summary>Version index of each dynamic symbol (.gnu.version), hidden bit cleared.</summary>
        public ushort VersionIndex(Symbol s)
        {
            var versym = FindSection(ShtGnuVersym) ?? throw new InvalidDataException("no .gnu.version section");
            return (ushort)(U16(versym.Offset + 2L * s.Index) & 0x7fff);
        }

        public long VersionIndexOffset(Symbol s)
        {
            var versym = FindSection(ShtGnuVersym) ?? throw new InvalidDataException("no .gnu.version section");
            return versym.Offset + 2L * s.Index;
        }

        /// <summary>Every (file, version) entry of .gnu.version_r.</summary>
        public List<VersionNeed> VersionNeeds()
        {
            var result = new List<VersionNeed>();
            var vr = FindSection(ShtGnuVerneed);
            if (vr is null) return result;
            var strtab = Sections[(int)vr.Link];
            long at = vr.Offset;
            for (uint n = 0; n < vr.Info; n++)
            {
                ushort cnt = U16(at + 2);
                string file = CString(strtab, U32(at + 4));
                long aux = at + U32(at + 8);
                for (int k = 0; k < cnt; k++)
                {
                    result.Add(new VersionNeed
                    {
                        File = file,
                        NameOffset = U32(aux + 8),
                        Name = CString(strtab, U32(aux + 8)),
                        Flags = U16(aux + 4),
                        Other = U16(aux + 6),
                        FlagsOffset = aux + 4,
                    });
                    uint nextAux = U32(aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(at + 12);
                if (next == 0) break;
                at += next;
            }
            return result;
        }

        /// <summary>Every version name the library defines (.gnu.version_d), e.g. GLIBCXX_3.4.30.</summary>
        public HashSet<string> DefinedVersions()
        {
            var result = new HashSet<string>(StringComparer.Ordinal);
            var vd = FindSection(ShtGnuVerdef);
            if (vd is null) return result;
            var strtab = Sections[(int)vd.Link];
            long at = vd.Offset;
            for (uint n = 0; n < vd.Info; n++)
            {
                ushort cnt = U16(at + 6);
                long aux = at + U32(at + 12);
                for (int k = 0; k < cnt; k++)
                {
                    result.Add(CString(strtab, U32(aux)));
                    uint nextAux = U32(aux + 4);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(at + 16);
                if (next == 0) break;
                at += next;
            }
            return result;
        }
    }

    /// <summary>
    /// Neutralizes the shim's one GLIBCXX_3.4.32 dependency in a copy of the file:
    /// the version need is marked weak (VER_FLG_WEAK), the symbol's version index is set to 1
    /// (global, unversioned), and its name in .dynstr is overwritten by a shorter argument-less
    /// libstdc++ function that every GCC ≥ 4 provides and that is harmless to call once at load.
    /// LibTorch's libraries, loaded before the shim, already construct the standard streams.
    /// </summary>
    public static class ShimPatcher
    {
        public const string LibStdCxx = "libstdc++.so.6";
        public const string MissingVersion = "GLIBCXX_3.4.32";
        public const string MissingSymbol = "_ZSt21ios_base_library_initv";
        public const string Replacement = "_ZSt15get_new_handlerv";
        public const ushort EmX86_64 = 62;

        /// <summary>Decides what to do with <paramref name="shim"/> given the versions the system libstdc++ defines.</summary>
        public static ShimPlan Plan(byte[] shim, ISet<string> libstdcxxVersions)
        {
            var elf = new ElfImage(shim);
            var needs = elf.VersionNeeds().Where(v => v.File == LibStdCxx).ToList();
            var missing = needs.Where(v => (v.Flags & ElfImage.VerFlgWeak) == 0 && !libstdcxxVersions.Contains(v.Name))
                               .Select(v => v.Name).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToList();
            if (missing.Count == 0)
                return new ShimPlan(ShimVerdict.NotNeeded, "the system libstdc++ defines every version the shim needs", missing);
            if (elf.Machine != EmX86_64)
                return new ShimPlan(ShimVerdict.Unsupported, $"shim is for ELF machine {elf.Machine}, the fix-up knows x86-64 only", missing);
            if (missing.Count != 1 || missing[0] != MissingVersion)
                return new ShimPlan(ShimVerdict.Unsupported,
                    $"the system libstdc++ lacks {string.Join(", ", missing)}; the fix-up only knows how to neutralize {MissingVersion}", missing);
            var need = needs.Single(v => v.Name == MissingVersion);
            var users = elf.DynamicSymbols().Where(s => elf.VersionIndex(s) == need.Other).ToList();
            if (users.Count != 1 || users[0].Name != MissingSymbol || users[0].SectionIndex != 0)
                return new ShimPlan(ShimVerdict.Unsupported,
                    $"expected {MissingVersion} to be needed by the undefined symbol {MissingSymbol} alone, found: {string.Join(", ", users.Select(u => u.Name))}",
                    missing);
            return new ShimPlan(ShimVerdict.Patchable, $"the system libstdc++ lacks {MissingVersion}, needed only by {MissingSymbol}", missing);
        }

        /// <summary>Returns a patched copy of <paramref name="shim"/>; throws InvalidDataException if its layout is not the expected one.</summary>
        public static byte[] Patch(byte[] shim)
        {
            var bytes = (byte[])shim.Clone();
            var elf = new ElfImage(bytes);
            var need = elf.VersionNeeds().SingleOrDefault(v => v.File == LibStdCxx && v.Name == MissingVersion)
                       ?? throw new InvalidDataException($"shim has no {MissingVersion} entry in .gnu.version_r");
            var symbols = elf.DynamicSymbols();
            var users = symbols.Where(s => elf.VersionIndex(s) == need.Other).ToList();
            if (users.Count != 1 || users[0].Name != MissingSymbol || users[0].SectionIndex != 0)
                throw new InvalidDataException($"expected exactly one undefined symbol {MissingSymbol} versioned {MissingVersion}");
            var symbol = users[0];

            // The name's bytes must belong to this symbol alone (linkers may share string tails).
            var dynstr = elf.DynStr();
            uint start = symbol.NameOffset, end = start + (uint)MissingSymbol.Length;
            bool shared = symbols.Any(s => s.Index != symbol.Index && s.NameOffset >= start && s.NameOffset <= end)
                          || elf.VersionNeeds().Any(v => v.NameOffset >= start && v.NameOffset <= end);
            if (shared)
                throw new InvalidDataException($"the .dynstr bytes of {MissingSymbol} are shared with another name");

            elf.W16(need.FlagsOffset, (ushort)(need.Flags | ElfImage.VerFlgWeak));
            elf.W16(elf.VersionIndexOffset(symbol), 1);
            long at = dynstr.Offset + start;
            for (int i = 0; i < MissingSymbol.Length; i++)
                bytes[at + i] = i < Replacement.Length ? (byte)Replacement[i] : (byte)0;
            return bytes;
        }

        /// <summary>Finds the libstdc++.so.6 the dynamic loader would use, or null.</summary>
        public static string? FindSystemLibStdCxx()
        {
            foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" })
            {
                if (!File.Exists(ldconfig)) continue;
                try
                {
                    var psi = new System.Diagnostics.ProcessStartInfo(ldconfig, "-p")
                    {
                        RedirectStandardOutput = true,
                        UseShellExecute = false,
                    };
                    using var p = System.Diagnostics.Process.Start(psi);
                    if (p is null) continue;
                    string output = p.StandardOutput.ReadToEnd();
                    p.WaitForExit();
                    foreach (var line in output.Split('\n'))
                    {
                        var t = line.Trim();
                        if (!t.StartsWith(LibStdCxx + " ", StringComparison.Ordinal) || !t.Contains("x86-64")) continue;
                        int arrow = t.IndexOf("=> ", StringComparison.Ordinal);
                        if (arrow > 0 && File.Exists(t.Substring(arrow + 3).Trim())) return t.Substring(arrow + 3).Trim();
                    }
                }
                catch (Exception) { /* fall through to the usual places */ }
            }
            foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" })
            {
                var candidate = Path.Combine(dir, LibStdCxx);
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }
    }

#if !TANGENT_SHIM_TESTS
    /// <summary>MSBuild task: writes the shim to <see cref="Output"/>, patched when the system libstdc++ needs it.</summary>
    public sealed class PatchLibTorchSharpShim : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public string Shim { get; set; } = "";
        [Microsoft.Build.Framework.Required] public string Output { get; set; } = "";
        /// <summary>The file to deploy: <see cref="Output"/> when patched, otherwise <see cref="Shim"/> unchanged.</summary>
        [Microsoft.Build.Framework.Output] public string Deployed { get; set; } = "";

        public override bool Execute()
        {
            Deployed = Shim;
            string? libstdcxx = ShimPatcher.FindSystemLibStdCxx();
            if (libstdcxx is null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "Tangent: no system libstdc++.so.6 found; TorchSharp's shim is deployed unpatched.");
                return true;
            }
            try
            {
                var versions = new ElfImage(File.ReadAllBytes(libstdcxx)).DefinedVersions();
                var shim = File.ReadAllBytes(Shim);
                var plan = ShimPatcher.Plan(shim, versions);
                switch (plan.Verdict)
                {
                    case ShimVerdict.NotNeeded:
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"Tangent: shim fix-up not needed ({plan.Reason}).");
                        return true;
                    case ShimVerdict.Unsupported:
                        Log.LogError($"Tangent: TorchSharp's native shim {Shim} will not load with {libstdcxx}: {plan.Reason}. " +
                                     "Use a TorchSharp version whose shim layout build/ShimPatch knows, or a newer libstdc++ (GCC 13+).");
                        return false;
                }
                var patched = ShimPatcher.Patch(shim);
                Deployed = Output;
                if (File.Exists(Output) && File.ReadAllBytes(Output).SequenceEqual(patched))
                    return true; // unchanged: keep the timestamp so incremental copies stay no-ops
                Directory.CreateDirectory(Path.GetDirectoryName(Output)!);
                string tmp = Output + ".tmp";
                File.WriteAllBytes(tmp, patched);
                if (File.Exists(Output)) File.Delete(Output);
                File.Move(tmp, Output);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    $"Tangent: patched TorchSharp's shim for {libstdcxx} ({plan.Reason}) -> {Output}");
                return true;
            }
            catch (InvalidDataException e)
            {
                Log.LogError($"Tangent: TorchSharp's native shim {Shim} does not have the layout the fix-up expects: {e.Message}. " +
                             "Update build/ShimPatch for this TorchSharp version.");
                return false;
            }
        }
    }
#endif
}
