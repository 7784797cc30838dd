using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// THEORY §3: clean labels and injected noise, each split into channel and reservoir of W_S, with their effect on the
/// test outputs through G_Q (the part of the output gradient they contribute is −label/n).
/// </summary>
/// <param name="CleanChannelShare">Share of ‖clean labels‖² in the channel.</param>
/// <param name="CleanReservoirShare">Share of ‖clean labels‖² in the reservoir.</param>
/// <param name="NoiseChannelShare">Share of ‖label noise‖² in the channel.</param>
/// <param name="NoiseReservoirShare">Share of ‖label noise‖² in the reservoir.</param>
/// <param name="CleanChannelTestEffect">‖G_Q Π_ch y_clean‖/n.</param>
/// <param name="CleanReservoirTestEffect">‖G_Q Π_res y_clean‖/n.</param>
/// <param name="NoiseChannelTestEffect">‖G_Q Π_ch ε‖/n.</param>
/// <param name="NoiseReservoirTestEffect">‖G_Q Π_res ε‖/n.</param>
public sealed record FourCells(
    double CleanChannelShare,
    double CleanReservoirShare,
    double NoiseChannelShare,
    double NoiseReservoirShare,
    double CleanChannelTestEffect,
    double CleanReservoirTestEffect,
    double NoiseChannelTestEffect,
    double NoiseReservoirTestEffect
)
{
    /// <summary>‖G_Q Π_res ε‖ / (‖G_Q Π_ch ε‖ + ‖G_Q Π_res ε‖): the reservoir's share of the noise's
    /// test effect.</summary>
    public double ReservoirShareOfNoiseTestEffect =>
        NoiseReservoirTestEffect / Math.Max(1e-300, NoiseChannelTestEffect + NoiseReservoirTestEffect);
}
