using System.Text.Json.Serialization;
using Tangent.Models;

namespace Tangent.Training;

/// <summary>Optimizer family.</summary>
public enum OptimizerKind
{
    /// <summary>Plain gradient descent w ← w − η ∇Φ (full batch unless batch_size is set).</summary>
    Gd,

    /// <summary>SGD with (heavy-ball) momentum.</summary>
    Sgd,

    /// <summary>Adam (Kingma &amp; Ba), L2 weight decay added to the gradient.</summary>
    Adam,

    /// <summary>AdamW (Loshchilov &amp; Hutter): decoupled weight decay.</summary>
    [JsonStringEnumMemberName("adamw")]
    AdamW,

    /// <summary>AdamW with a per-parameter SNR gate on the step (THEORY §6); weight decay is not gated.</summary>
    [JsonStringEnumMemberName("snr_adamw")]
    SnrAdamW,
}
