using Tangent.Data;
using Tangent.Models;

namespace Tangent.Training;

/// <summary>Learning-rate schedule.</summary>
public enum ScheduleKind
{
    /// <summary>η_t = η.</summary>
    Constant,

    /// <summary>η_t = η · min(1, (t + 1)/W).</summary>
    Warmup,

    /// <summary>Linear warm-up over W steps, then η_min + (η − η_min)(1 + cos(π (t − W)/(T −
    /// W)))/2.</summary>
    Cosine,
}
