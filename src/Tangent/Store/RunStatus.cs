using System.Text.Json.Serialization;

namespace Tangent.Store;

/// <summary>Lifecycle of a run directory.</summary>
public enum RunStatus
{
    /// <summary>Written at start; a run found in this state whose process is gone was interrupted.</summary>
    Running,

    /// <summary>Every file of the run was written.</summary>
    Done,

    /// <summary>The run stopped on an error or an interrupt; <see cref="RunInfo.Error"/> says why.</summary>
    Failed,
}
