using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Theory;

/// <summary>Closed forms and the quadrature fallback, by activation.</summary>
public static class ActivationMoments
{
    /// <summary>Closed form where one exists (ReLU, leaky ReLU, abs, erf, identity, x²), otherwise Gauss–Hermite of
    /// <paramref name="degree"/>.</summary>
    public static IActivationMoments For(Activation activation, double leakySlope = 0.01, int degree = 64) =>
        activation switch
        {
            Activation.Relu => new LeakyRelu(0),
            Activation.LeakyRelu => new LeakyRelu(leakySlope),
            Activation.Abs => new LeakyRelu(-1),
            Activation.Erf => new ErfMoments(),
            Activation.Identity => new Polynomial(1),
            Activation.Quadratic => new Polynomial(2),
            _ => Quadrature(activation, leakySlope, degree),
        };

    /// <summary>Gauss–Hermite quadrature of any activation (the reference for those without a closed form).</summary>
    public static IActivationMoments Quadrature(Activation activation, double leakySlope = 0.01, int degree = 64)
    {
        var (f, df) = Functions(activation, leakySlope);
        return new QuadratureMoments(f, df, degree);
    }

    /// <summary>φ and φ′ of an activation.</summary>
    public static (Func<Tensor, Tensor> F, Func<Tensor, Tensor> DF) Functions(
        Activation activation,
        double leakySlope = 0.01
    ) =>
        activation switch
        {
            Activation.Relu => (x => x.clamp_min(0), x => x.gt(0).to_type(x.dtype)),
            Activation.LeakyRelu => (
                x => where(x.gt(0), x, x * leakySlope),
                x => where(x.gt(0), ones_like(x), full_like(x, leakySlope))
            ),
            Activation.Abs => (x => x.abs(), x => x.sign()),
            Activation.Tanh => (x => x.tanh(), x => 1 - x.tanh().Squared()),
            Activation.Gelu => (
                x => x * 0.5 * (1 + special.erf(x / Math.Sqrt(2))),
                x => 0.5 * (1 + special.erf(x / Math.Sqrt(2))) + x * (-0.5 * x.Squared()).exp() / Math.Sqrt(2 * Math.PI)
            ),
            Activation.Erf => (x => special.erf(x), x => 2 / Math.Sqrt(Math.PI) * (-x.Squared()).exp()),
            Activation.Sigmoid => (x => x.sigmoid(), x => x.sigmoid() * (1 - x.sigmoid())),
            Activation.Sin => (x => x.sin(), x => x.cos()),
            Activation.Quadratic => (x => x.Squared(), x => 2 * x),
            _ => (x => x, x => ones_like(x)),
        };

    /// <summary>
    /// φ(u) = max(u, αu) = ((1+α)/2)u + ((1−α)/2)|u| (α = 0: ReLU, α = −1: |u|). With θ = arccos(c/√(ab)),
    /// E[|u||v|] = (√(ab)/π)(2 sin θ + (π − 2θ) cos θ), E[sign u sign v] = 1 − 2θ/π (arc-cosine kernels,
    /// Cho &amp; Saul 2009).
    /// </summary>
    private sealed class LeakyRelu(double alpha) : IActivationMoments
    {
        public (Tensor T, Tensor TDot) Moments(Tensor a, Tensor b, Tensor c)
        {
            using var scope = NewDisposeScope();
            var norm = (a * b).sqrt();
            var rho = (c / norm.clamp_min(1e-300)).clamp(-1, 1);
            var theta = rho.acos();
            double even = (1 + alpha) / 2,
                odd = (1 - alpha) / 2;
            var absMoment = norm / Math.PI * (2 * theta.sin() + (Math.PI - 2 * theta) * rho);
            var t = even * even * c + odd * odd * absMoment;
            var tDot = even * even + odd * odd * (1 - 2 * theta / Math.PI);
            return (t.MoveToOuterDisposeScope(), tDot.MoveToOuterDisposeScope());
        }
    }

    /// <summary>
    /// φ = erf: E[erf u erf v] = (2/π) arcsin(2c/√((1+2a)(1+2b))), E[φ′φ′] = (4/π)/√((1+2a)(1+2b) −
    /// 4c²) (Williams 1997).
    /// </summary>
    private sealed class ErfMoments : IActivationMoments
    {
        public (Tensor T, Tensor TDot) Moments(Tensor a, Tensor b, Tensor c)
        {
            using var scope = NewDisposeScope();
            var d = (1 + 2 * a) * (1 + 2 * b);
            var t = 2 / Math.PI * (2 * c / d.sqrt()).clamp(-1, 1).asin();
            var tDot = 4 / Math.PI / (d - 4 * c.Squared()).sqrt();
            return (t.MoveToOuterDisposeScope(), tDot.MoveToOuterDisposeScope());
        }
    }

    /// <summary>φ = x: (c, 1); φ = x²: (ab + 2c², 4c) (Isserlis).</summary>
    private sealed class Polynomial(int power) : IActivationMoments
    {
        public (Tensor T, Tensor TDot) Moments(Tensor a, Tensor b, Tensor c)
        {
            if (power == 1)
                return (c.clone(), ones_like(c));
            return (a * b + 2 * c.Squared(), 4 * c);
        }
    }

    /// <summary>
    /// E[g(u, v)] with u = √a z₁, v = √b (ρ z₁ + √(1−ρ²) z₂), z₁, z₂ iid N(0, 1), by a tensor
    /// product Gauss–Hermite rule.
    /// </summary>
    private sealed class QuadratureMoments(Func<Tensor, Tensor> f, Func<Tensor, Tensor> df, int degree)
        : IActivationMoments
    {
        private const long Budget = 1L << 25; // elements of the [pairs, degree, degree] evaluation per block

        public (Tensor T, Tensor TDot) Moments(Tensor a, Tensor b, Tensor c)
        {
            using var scope = NewDisposeScope();
            var (z, w) = GaussHermite.Rule(degree);
            var shape = broadcast_tensors(a, b, c)[0].shape;
            var fa = a.expand(shape).reshape(-1);
            var fb = b.expand(shape).reshape(-1);
            var fc = c.expand(shape).reshape(-1);
            long count = fa.shape[0];
            var t = empty(count, dtype: ScalarType.Float64);
            var tDot = empty(count, dtype: ScalarType.Float64);
            long block = Math.Max(1, Budget / ((long)degree * degree));
            var ww = w.unsqueeze(1) * w.unsqueeze(0); // [deg, deg]
            for (long s = 0; s < count; s += block)
            {
                using var inner = NewDisposeScope();
                long e = Math.Min(count, s + block);
                var sa = fa[TensorIndex.Slice(s, e)].sqrt().view(-1, 1, 1);
                var sb = fb[TensorIndex.Slice(s, e)].sqrt().view(-1, 1, 1);
                var rho = (
                    fc[TensorIndex.Slice(s, e)]
                    / (fa[TensorIndex.Slice(s, e)] * fb[TensorIndex.Slice(s, e)]).sqrt().clamp_min(1e-300)
                )
                    .clamp(-1, 1)
                    .view(-1, 1, 1);
                var u = sa * z.view(1, -1, 1);
                var v = sb * (rho * z.view(1, -1, 1) + (1 - rho.Squared()).clamp_min(0).sqrt() * z.view(1, 1, -1));
                t[TensorIndex.Slice(s, e)] = (f(u) * f(v) * ww).sum(new long[] { 1, 2 });
                tDot[TensorIndex.Slice(s, e)] = (df(u) * df(v) * ww).sum(new long[] { 1, 2 });
            }
            return (t.view(shape).MoveToOuterDisposeScope(), tDot.view(shape).MoveToOuterDisposeScope());
        }
    }
}
