using System.Text.Json.Nodes;
using Tangent.Cli;
using Tangent.Commands;
using Tangent.Training;

namespace Tangent.Tests.Cli;

/// <summary>
/// Randomized bad input: valid configs mutated (a key dropped, renamed, retyped or set to an extreme value) must end in
/// exit 0, 1 or 2 with at most one line on stderr — never a crash, a stack trace or a native frame. Seeded, so a
/// failure reproduces; the mutation is printed with it.
/// </summary>
public class ConfigFuzzTests
{
    private const string BaseTrain = """
        {"task": {"kind": "teacher", "train_samples": 12, "test_samples": 12, "dimension": 3, "outputs": 2,
                  "teacher_width": 8, "noise_std": 0.1},
         "model": {"widths": [3, 16, 2], "activation": "tanh", "bias": true, "weight_std": 1.0},
         "optimizer": {"kind": "adam", "lr": 0.01, "beta1": 0.9},
         "loss": "half_mse", "steps": 20, "log_every": 5, "seed": 3, "checkpoint_every": 10,
         "record": {"schedule": "every", "every": 10, "traced": false, "method": "rules"}}
        """;

    private static readonly JsonNode?[] Extremes =
    [
        null,
        "x",
        "",
        0,
        -1,
        1.5,
        3,
        1e308,
        -1e308,
        2147483648L,
        -2147483649L,
        true,
        false,
        new JsonArray(),
        new JsonObject(),
        "NaN",
        "Infinity",
        1e-320,
        new JsonArray(1, null, "a"),
    ];

    private static (string Description, string Json) Mutate(Random random)
    {
        var root = JsonNode.Parse(BaseTrain)!.AsObject();
        var places = new List<(JsonObject Parent, string Key)>();
        void Collect(JsonObject o)
        {
            foreach (var (key, value) in o.ToList())
            {
                places.Add((o, key));
                if (value is JsonObject child)
                    Collect(child);
            }
        }
        Collect(root);
        var (parent, name) = places[random.Next(places.Count)];
        string description;
        switch (random.Next(4))
        {
            case 0:
                parent.Remove(name);
                description = $"drop {name}";
                break;
            case 1:
                var value = parent[name]?.DeepClone();
                parent.Remove(name);
                string renamed = Typo(name, random);
                parent[renamed] = value;
                description = $"rename {name} → {renamed}";
                break;
            default:
                var extreme = Extremes[random.Next(Extremes.Length)]?.DeepClone();
                description = $"set {name} = {extreme?.ToJsonString() ?? "null"}";
                parent[name] = extreme;
                break;
        }
        return (description, root.ToJsonString());
    }

    private static string Typo(string key, Random random)
    {
        int i = random.Next(key.Length);
        return random.Next(3) switch
        {
            0 => key.Remove(i, 1),
            1 => key.Insert(i, "x"),
            _ => i + 1 < key.Length
                ? string.Concat(key[..i], key[i + 1].ToString(), key[i].ToString(), key[(i + 2)..])
                : key + "s",
        };
    }

    /// <summary>Whether a config that reads cleanly is small enough to train here (the fuzz must not run for
    /// hours).</summary>
    private static bool Cheap(TrainConfig c) =>
        c.Steps <= 200
        && c.Task.TrainSamples + c.Task.TestSamples <= 200
        && c.Model.ParameterCount() <= 5000
        && c.Task.Kind is not ("fashion-mnist" or "modular")
        && (c.Record is null || c.Record.StepsFor(c.Steps).Count <= 25);

    [Fact]
    public void MutatedTrainConfigsEndCleanly()
    {
        var random = new Random(20261201);
        int ran = 0,
            refused = 0,
            skipped = 0;
        for (int k = 0; k < 120; k++)
        {
            var (description, json) = Mutate(random);
            using var dir = new TempDir();
            File.WriteAllText(dir.File("config.json"), json);
            try
            {
                if (!Cheap(TrainRun.Load(dir.File("config.json"))))
                {
                    skipped++;
                    continue;
                }
            }
            catch (ConfigException)
            {
                refused++;
            }
            var (code, _, err) = BadInputTests.Run(
                "train",
                "--config",
                dir.File("config.json"),
                "--out",
                dir.File("run"),
                "--threads",
                "1"
            );
            Assert.True(code is 0 or 1 or 2, $"{description}: exit {code}\n{err}");
            if (err.Length > 0)
                BadInputTests.AssertOneCleanLine(err);
            if (code == TangentCli.Usage)
                Assert.False(Directory.Exists(dir.File("run")), $"{description}: left a run");
            // A failure while working is a property of the run (divergence), never an internal error such as a null.
            if (code == TangentCli.Failed)
                Assert.True(err.Contains("diverged"), $"{description}: {err}");
            ran++;
        }
        // The mutations must exercise both sides: refusals and runs that go ahead.
        Assert.True(refused >= 30 && ran - refused >= 10, $"refused {refused}, ran {ran}, skipped {skipped}");
        Console.WriteLine($"config fuzz: refused {refused}, ran {ran - refused}, skipped {skipped}");
    }

    [Fact]
    public void RandomStudyOverridesAreAcceptedOrRefusedByName()
    {
        var random = new Random(7);
        string[] values =
        [
            "0",
            "-1",
            "1.5",
            "abc",
            "true",
            "null",
            "[]",
            "{}",
            "1e308",
            "99999999999",
            "[1, \"a\"]",
            "\"\"",
        ];
        foreach (var study in Tangent.Studies.StudyCatalog.All)
        {
            var preset = study.Preset("quick");
            var node = System
                .Text.Json.JsonSerializer.SerializeToNode(preset, preset.GetType(), Json.Options)!
                .AsObject();
            var keys = node.Select(p => p.Key).ToList();
            for (int k = 0; k < 25; k++)
            {
                string key = keys[random.Next(keys.Count)],
                    value = values[random.Next(values.Length)];
                if (random.Next(4) == 0)
                    key = Typo(key, random);
                try
                {
                    var config = Tangent.Studies.StudyCatalog.Override(preset, [$"{key}={value}"]);
                    Seeds.CheckAll(config, "--set ");
                }
                catch (ConfigException e)
                {
                    Assert.StartsWith("--set", e.Field);
                    Assert.DoesNotContain("System.", e.Message);
                    Assert.DoesNotContain("\n", e.Message);
                }
            }
        }
    }
}
