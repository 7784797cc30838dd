using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.PacBayes;

/// <summary>
/// A Gaussian posterior Q = N(μ, diag e^{2ρ}) over a network's parameters and the prior N(w₀, λ I) centred at its
/// initialization, optimized under the PAC-Bayes bound as Dziugaite &amp; Roy (2017) do: minimize ê_sur(Q) + √(C/2),
/// C = (KL(Q‖P) + ln(π²j²/(6δ)) + ln(2√n))/n, j = b ln(c/λ), over μ, ρ and ln λ, with one draw θ = μ +
/// e^ρ ⊙ ε per step (the reparameterization: ∂/∂μ = ∇_θ, ∂/∂ρ = ∇_θ ⊙ ε ⊙ e^ρ) on a
/// minibatch. The surrogate ê_sur is the logistic loss in bits (an upper bound on the 0–1 error): ln(1 + e^{−y
/// u})/ln 2 for one output with ±1 targets, cross-entropy/ln 2 for one-hot targets. Works for any module: draws are
/// written into its parameters.
/// </summary>
public sealed class GaussianPosterior : IDisposable
{
    private readonly List<Parameter> mean;
    private readonly List<Parameter> logStd;
    private readonly List<Tensor> prior;
    private readonly Parameter logLambda;

    /// <summary>μ = the trained parameters, w₀ = the initial ones (same order), s = scale·|w| (floored at
    /// 10⁻⁸), λ from <paramref name="settings"/>.</summary>
    public GaussianPosterior(
        nn.Module<Tensor, Tensor> trained,
        nn.Module<Tensor, Tensor> initial,
        PacBayesSettings settings
    )
    {
        using var _ = no_grad();
        var w = trained.parameters().ToList();
        var w0 = initial.parameters().ToList();
        if (w.Count != w0.Count || w.Zip(w0).Any(p => !p.First.shape.SequenceEqual(p.Second.shape)))
            throw new ArgumentException("the trained and initial networks differ in their parameters");
        mean = [.. w.Select(p => new Parameter(p.detach().to_type(ScalarType.Float64).clone()))];
        logStd =
        [
            .. w.Select(p => new Parameter(
                (p.detach().to_type(ScalarType.Float64).abs() * settings.InitialStdScale).clamp_min(1e-8).log()
            )),
        ];
        prior = [.. w0.Select(p => p.detach().to_type(ScalarType.Float64).clone())];
        logLambda = new Parameter(tensor(Math.Log(settings.InitialPriorVariance), dtype: ScalarType.Float64));
    }

    /// <summary>The current prior variance λ.</summary>
    public double PriorVariance => Math.Exp(logLambda.item<double>());

    /// <summary>Parameter count.</summary>
    public long Count => mean.Sum(p => p.numel());

    /// <summary>Mean posterior standard deviation over all parameters.</summary>
    public double MeanStd
    {
        get
        {
            using var _ = no_grad();
            return mean.Count == 0 ? 0 : logStd.Sum(r => r.exp().sum().item<double>()) / Count;
        }
    }

    /// <summary>‖μ − w₀‖₂.</summary>
    public double Distance
    {
        get
        {
            using var _ = no_grad();
            return Math.Sqrt(mean.Zip(prior).Sum(p => (p.First - p.Second).square().sum().item<double>()));
        }
    }

    /// <summary>KL(Q‖N(w₀, λ I)) at a given λ.</summary>
    public double KlAt(double lambda)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return PacBayesBound
            .GaussianKl([.. mean], [.. logStd], prior, tensor(Math.Log(lambda), dtype: ScalarType.Float64))
            .item<double>();
    }

    /// <summary>
    /// Minimizes the bound's objective for <see cref="PacBayesSettings.Steps"/> Adam steps on minibatches of (x, y),
    /// n = |S|; the trace has a row every <paramref name="every"/> steps. The module's parameters hold the last draw
    /// after.
    /// </summary>
    public List<PosteriorStep> Optimize(
        nn.Module<Tensor, Tensor> model,
        Tensor x,
        Tensor y,
        PacBayesSettings settings,
        Generator generator,
        int every,
        CancellationToken cancel
    )
    {
        int n = (int)x.shape[0];
        var parameters = model.parameters().ToList();
        var optimizer = optim.Adam([.. mean, .. logStd, logLambda], settings.Lr);
        var trace = new List<PosteriorStep>();
        double logC = Math.Log(settings.PriorScale);
        for (int t = 0; t < settings.Steps; t++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var kl = PacBayesBound.GaussianKl([.. mean], [.. logStd], prior, logLambda);
            var j = ((logC - logLambda) * settings.PriorPrecision).clamp_min(1);
            var complexity = (kl + 2 * j.log() + Math.Log(Math.PI * Math.PI / (6 * settings.Delta)))
                .add(Math.Log(2 * Math.Sqrt(n)))
                .div(n);
            var penalty = (complexity / 2).sqrt();
            penalty.backward();
            var noise = Draw(parameters, generator);
            model.zero_grad();
            var rows = randperm(n, generator: generator)[TensorIndex.Slice(0, Math.Min(settings.BatchSize, n))];
            var surrogate = Surrogate(model.call(x.index_select(0, rows)), y.index_select(0, rows));
            surrogate.backward();
            using (no_grad())
                for (int k = 0; k < parameters.Count; k++)
                {
                    var g = parameters[k].grad!.to_type(ScalarType.Float64);
                    mean[k].grad!.add_(g);
                    logStd[k].grad!.add_(g * noise[k] * logStd[k].exp());
                }
            optimizer.step();
            if (t % every == 0 || t + 1 == settings.Steps)
            {
                double sur = surrogate.item<double>();
                double pen = penalty.item<double>();
                trace.Add(new PosteriorStep(t, sur, kl.item<double>(), Math.Exp(logLambda.item<double>()), sur + pen));
            }
        }
        optimizer.Dispose();
        return trace;
    }

    /// <summary>Writes one draw θ = μ + e^ρ ⊙ ε into the module's parameters and returns ε (in the caller's
    /// scope).</summary>
    private List<Tensor> Draw(List<Parameter> parameters, Generator generator)
    {
        using var _ = no_grad();
        var noise = new List<Tensor>();
        for (int k = 0; k < parameters.Count; k++)
        {
            var e = randn(mean[k].shape, dtype: ScalarType.Float64, generator: generator);
            parameters[k].copy_(mean[k] + logStd[k].exp() * e);
            noise.Add(e);
        }
        return noise;
    }

    /// <summary>Writes μ into the module's parameters (the deterministic network at the posterior mean).</summary>
    public void WriteMean(nn.Module<Tensor, Tensor> model)
    {
        using var _ = no_grad();
        foreach (var (p, m) in model.parameters().Zip(mean))
            p.copy_(m);
    }

    /// <summary>
    /// The 0–1 errors of <paramref name="samples"/> networks drawn from Q on each of the given sets (one draw
    /// evaluated on every set); the module holds μ after.
    /// </summary>
    public double[][] Errors(
        nn.Module<Tensor, Tensor> model,
        IReadOnlyList<(Tensor X, Tensor Y)> sets,
        int samples,
        Generator generator,
        CancellationToken cancel
    )
    {
        var parameters = model.parameters().ToList();
        var errors = sets.Select(_ => new double[samples]).ToArray();
        for (int s = 0; s < samples; s++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            Draw(parameters, generator);
            for (int k = 0; k < sets.Count; k++)
                errors[k][s] = ErrorShare(model.call(sets[k].X), sets[k].Y);
        }
        WriteMean(model);
        return errors;
    }

    /// <summary>The 0–1 error share: sign(u) ≠ y for one output with ±1 targets, argmax u ≠ argmax y otherwise
    /// (a tie at u = 0 counts as an error).</summary>
    public static double ErrorShare(Tensor outputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var wrong = outputs.shape[1] == 1 ? (outputs * targets).le(0) : outputs.argmax(1).ne(targets.argmax(1));
        return wrong.to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>The logistic surrogate in bits (see the class remarks).</summary>
    public static Tensor Surrogate(Tensor outputs, Tensor targets) =>
        outputs.shape[1] == 1
            ? nn.functional.softplus(-(outputs * targets)).mean() / Math.Log(2)
            : nn.functional.cross_entropy(outputs, targets.argmax(1)) / Math.Log(2);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var p in mean.Concat(logStd))
            p.Dispose();
        foreach (var p in prior)
            p.Dispose();
        logLambda.Dispose();
    }
}
