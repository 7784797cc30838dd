namespace Tangent.Models;

/// <summary>
/// A fully connected network: widths [d, h_1, …, h_L, p], an activation between layers, optional biases, NTK or
/// standard parameterization, and a scalar output scale. The config of <c>tangent ntk</c> (docs/config.md).
/// </summary>
public sealed record MlpConfig
{
    /// <summary>
    /// Model type: <c>mlp</c> (the network these keys describe) or <c>torchscript</c> (a module saved from PyTorch
    /// with <c>torch.jit.script(model).save(path)</c>, at <see cref="Path"/>; the MLP keys do not apply to it).
    /// </summary>
    public string Type { get; init; } = "mlp";

    /// <summary>The TorchScript file of a <c>torchscript</c> model (relative paths are read from the config file's
    /// directory); null for an MLP.</summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
    )]
    public string? Path { get; init; }

    /// <summary><c>cnn</c>: the convolutions' k (odd; "same" padding, stride 1).</summary>
    public int KernelSize { get; init; } = 3;

    /// <summary><c>cnn</c>: 2 × 2 pooling after each block, <c>avg</c>, <c>max</c> or <c>none</c>.</summary>
    public string Pool { get; init; } = "avg";

    /// <summary><c>cnn</c>: residual blocks h + φ(conv(h)) where the channel count does not change.</summary>
    public bool Residual { get; init; }

    /// <summary><c>transformer</c>: blocks L.</summary>
    public int Layers { get; init; } = 2;

    /// <summary><c>transformer</c>: attention heads H (the width must be divisible by H).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Whether the model takes inputs of any shape [n, …] (a cnn: images [n, C, H, W]; a TorchScript
    /// module: whatever its forward takes) rather than the MLP's [n, widths[0]].</summary>
    public bool TakesShapedInputs() => Type != "mlp";

    /// <summary>Whether this is a TorchScript model.</summary>
    public bool IsTorchScript() => Type == "torchscript";

    /// <summary>Layer widths, input first, output last (at least two).</summary>
    public IReadOnlyList<int> Widths { get; init; } = [];

    /// <summary>Activation between layers.</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>Negative-side slope α of leaky ReLU.</summary>
    public double LeakySlope { get; init; } = 0.01;

    /// <summary>Whether layers have biases.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>NTK or standard parameterization.</summary>
    public Parameterization Parameterization { get; init; } = Parameterization.Ntk;

    /// <summary>σ_w.</summary>
    public double WeightStd { get; init; } = 1.0;

    /// <summary>σ_b.</summary>
    public double BiasStd { get; init; } = 0.0;

    /// <summary>
    /// Standard parameterization only: when positive, every weight is drawn from N(0, init_std²) whatever its fan-in
    /// (instead of N(0, σ_w²/fan_in)); e.g. 0.5/(2N)^{1/3} for both layers of Gromov's x² network in its authors'
    /// public code. 0: off.
    /// </summary>
    public double InitStd { get; init; }

    /// <summary>The network output is multiplied by this.</summary>
    public double OutputScale { get; init; } = 1.0;

    /// <summary>
    /// Embedding dimension e (0: none). When positive the input is <see cref="Tokens"/> one-hot blocks of a vocabulary
    /// of widths[0]/tokens, each embedded by one shared table (<see cref="SharedEmbedding"/>), and the first layer sees
    /// tokens·e features.
    /// </summary>
    public int Embedding { get; init; }

    /// <summary>Positions sharing the embedding (modular arithmetic: a and b).</summary>
    public int Tokens { get; init; } = 2;

    /// <summary>
    /// P, the number of trainable parameters: Σ_l (n_l + 1[bias]) n_{l+1} over the linear layers, plus the embedding
    /// table (widths[0]/tokens) × e. Computed in double so absurd widths report a size instead of overflowing.
    /// </summary>
    public double ParameterCount()
    {
        if (Type == "transformer")
        {
            // Embeddings V·d + T·d; per block 4(d² + d) attention, 8d² + 5d MLP, 4d LayerNorms; LayerNorm 2d; head.
            double v = Widths[0],
                d = Widths[1],
                p = Widths[2];
            return v * d + Tokens * d + Layers * (4 * (d * d + d) + 8 * d * d + 5 * d + 4 * d) + 2 * d + (d + 1) * p;
        }
        if (Type == "cnn")
        {
            // Convolutions (c_{l−1}k² + 1[bias]) c_l, then the head (c_L + 1[bias]) p.
            double k2 = (double)KernelSize * KernelSize,
                total = (Widths[^2] + (Bias ? 1 : 0)) * (double)Widths[^1];
            for (int l = 1; l + 1 < Widths.Count; l++)
                total += (Widths[l - 1] * k2 + (Bias ? 1 : 0)) * Widths[l];
            return total;
        }
        double count = Embedding > 0 ? (double)Widths[0] / Tokens * Embedding : 0;
        for (int l = 0; l + 1 < Widths.Count; l++)
        {
            double fanIn = l == 0 && Embedding > 0 ? (double)Tokens * Embedding : Widths[l];
            count += (fanIn + (Bias ? 1 : 0)) * Widths[l + 1];
        }
        return count;
    }

    /// <summary>Σ of every layer's width after the input (the activations one example keeps per forward
    /// pass).</summary>
    public double Units() => Widths.Skip(1).Sum(w => (double)w) + (Embedding > 0 ? (double)Tokens * Embedding : 0);

    /// <summary>Checks every field; throws <see cref="ConfigException"/> naming the first bad one (prefixed by
    /// <paramref name="path"/>).</summary>
    public MlpConfig Validate(string path = "model")
    {
        ConfigException.Require(
            Type is "mlp" or "cnn" or "transformer" or "torchscript",
            $"{path}.type",
            $"unknown model type '{Type}'",
            "use \"mlp\", \"cnn\", \"transformer\" or \"torchscript\" (with \"path\")"
        );
        if (Type == "transformer")
        {
            ConfigException.Require(
                Widths.Count == 3 && Widths.All(w => w >= 1),
                $"{path}.widths",
                $"a transformer needs [vocabulary, width, outputs], got [{string.Join(", ", Widths)}]",
                "give e.g. [98, 128, 97] (Power et al. 2022 on a ∘ b mod 97)"
            );
            ConfigException.Require(
                Layers >= 1 && Heads >= 1 && Widths[1] % Heads == 0 && Tokens >= 1,
                $"{path}.heads",
                $"needs layers ≥ 1, heads ≥ 1 dividing the width {Widths[1]} and tokens ≥ 1, got layers "
                    + $"{Layers}, heads {Heads}, tokens {Tokens}",
                "use e.g. layers 2, heads 4, width 128"
            );
            return this;
        }
        if (Type == "cnn")
        {
            ConfigException.Require(
                Widths.Count >= 3 && Widths.All(w => w >= 1),
                $"{path}.widths",
                $"a cnn needs [input channels, conv channels…, outputs], got [{string.Join(", ", Widths)}]",
                "give e.g. [1, 16, 32, 10]"
            );
            ConfigException.Require(
                KernelSize >= 1 && KernelSize % 2 == 1,
                $"{path}.kernel_size",
                $"must be odd and positive (same padding), got {KernelSize}",
                "use 3 or 5"
            );
            ConfigException.Require(
                Pool is "avg" or "max" or "none",
                $"{path}.pool",
                $"unknown pooling '{Pool}'",
                "use avg, max or none"
            );
            ConfigException.Require(
                Parameterization == Parameterization.Standard && Embedding == 0 && InitStd == 0,
                $"{path}.parameterization",
                "a cnn is built in the standard parameterization, without embedding or init_std",
                "set \"parameterization\": \"standard\""
            );
        }
        if (IsTorchScript())
        {
            ConfigException.Require(
                !string.IsNullOrWhiteSpace(Path),
                $"{path}.path",
                "a torchscript model needs the file it was saved to",
                "set \"path\": \"net.pt\" (saved with torch.jit.script(model).save)"
            );
            ConfigException.Require(
                Widths.Count == 0,
                $"{path}.widths",
                "does not apply to a torchscript model (its shapes are in the file)",
                "remove widths"
            );
            return this;
        }
        ConfigException.Require(
            Path is null,
            $"{path}.path",
            "applies to torchscript models only",
            "remove path, or set \"type\": \"torchscript\""
        );
        ConfigException.Require(
            Widths.Count >= 2,
            $"{path}.widths",
            $"needs at least an input and an output width, got {Widths.Count}",
            "give e.g. [784, 256, 10]"
        );
        ConfigException.Require(
            Widths.All(w => w >= 1),
            $"{path}.widths",
            "every width must be at least 1",
            "give positive widths"
        );
        ConfigException.Require(
            double.IsFinite(WeightStd) && WeightStd > 0,
            $"{path}.weight_std",
            $"must be positive, got {WeightStd}",
            "use e.g. 1.0 (or √2 for ReLU)"
        );
        ConfigException.Require(
            double.IsFinite(InitStd) && InitStd >= 0,
            $"{path}.init_std",
            $"must be ≥ 0, got {InitStd}",
            "use 0 (σ_w/√fan_in) or e.g. 0.05"
        );
        ConfigException.Require(
            InitStd == 0 || Parameterization == Parameterization.Standard,
            $"{path}.init_std",
            "applies to the standard parameterization only",
            "set model.parameterization to \"standard\" or init_std to 0"
        );
        ConfigException.Require(
            double.IsFinite(BiasStd) && BiasStd >= 0,
            $"{path}.bias_std",
            $"must be ≥ 0, got {BiasStd}",
            "use e.g. 0.0 or 0.1"
        );
        ConfigException.Require(
            Embedding >= 0 && Tokens >= 1 && (Embedding == 0 || Widths[0] % Tokens == 0),
            $"{path}.embedding",
            $"needs embedding ≥ 0 and widths[0] ({Widths[0]}) divisible by tokens ({Tokens})",
            "use e.g. embedding 64 with tokens 2 for two one-hot blocks"
        );
        ConfigException.Require(
            double.IsFinite(OutputScale) && OutputScale != 0,
            $"{path}.output_scale",
            $"must be a non-zero number, got {OutputScale}",
            "use e.g. 1.0"
        );
        return this;
    }
}
