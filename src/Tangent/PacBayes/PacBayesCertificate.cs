namespace Tangent.PacBayes;

/// <summary>
/// A computed PAC-Bayes bound (<see cref="PacBayesBound"/>): prior j and its variance λ_j, KL(Q‖P_j), the Monte
/// Carlo training error ê_m of Q from m draws and its upper bound kl⁻¹(ê_m, ln(2/δ′)/m), the complexity term,
/// and the bound on the error of Q.
/// </summary>
public sealed record PacBayesCertificate(
    int PriorIndex,
    double PriorVariance,
    double Kl,
    double MeanTrainError,
    int Samples,
    double TrainErrorUpper,
    double Complexity,
    double Bound
);
