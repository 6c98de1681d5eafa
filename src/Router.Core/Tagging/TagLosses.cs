using System.Numerics.Tensors;

namespace Router.Core.Tagging;

/// <summary>
/// MixLLM's tag losses with analytic gradients (DESIGN.md step 4), with s = 1/τ:
/// <c>L_intra = −(1/|Q|) Σ_i log( exp(s·e_i·μ_c(i)) / Σ_j exp(s·e_i·μ_j) )</c>,
/// <c>L_inter = (1/|D|) Σ_j log Σ_{k≠j} exp(s·μ_j·μ_k)</c>,
/// where <c>e_i = normalise(W·x_i)</c> and <c>μ_j = normalise(m_j)</c> (normalising the centroids keeps L_inter bounded).
/// </summary>
internal static class TagLosses
{
    /// <summary>
    /// Loss <c>L_intra + γ·L_inter</c> over the rows <paramref name="batch"/> of <paramref name="x"/>; adds its gradient
    /// with respect to W (k × d) and M (C × k) into <paramref name="gradW"/> and <paramref name="gradM"/>.
    /// </summary>
    public static double LossAndGradient(
        ReadOnlySpan<double> w, ReadOnlySpan<double> m, int d, int k, int clusters,
        ReadOnlySpan<double> x, ReadOnlySpan<int> labels, ReadOnlySpan<int> batch,
        double scale, double interWeight, Span<double> gradW, Span<double> gradM)
    {
        // Normalised centroids.
        var mu = new double[clusters * k];
        var muNorm = new double[clusters];
        for (var j = 0; j < clusters; j++)
        {
            var row = m.Slice(j * k, k);
            muNorm[j] = Math.Max(TensorPrimitives.Norm(row), 1e-12);
            TensorPrimitives.Divide(row, muNorm[j], mu.AsSpan(j * k, k));
        }

        var gradMu = new double[clusters * k];
        var u = new double[k];
        var e = new double[k];
        var ge = new double[k];
        var logits = new double[clusters];
        var loss = 0.0;
        var inverseBatch = 1.0 / batch.Length;
        foreach (var i in batch)
        {
            var xi = x.Slice(i * d, d);
            for (var r = 0; r < k; r++)
            {
                u[r] = TensorPrimitives.Dot(w.Slice(r * d, d), xi);
            }

            var uNorm = Math.Max(TensorPrimitives.Norm(u), 1e-12);
            TensorPrimitives.Divide(u, uNorm, e);
            for (var j = 0; j < clusters; j++)
            {
                logits[j] = scale * TensorPrimitives.Dot(e, mu.AsSpan(j * k, k));
            }

            var c = labels[i];
            var logSum = LogSumExp(logits, skip: -1);
            loss -= (logits[c] - logSum) * inverseBatch;

            // dL/de_i = −(s/B)(μ_c − Σ_j p_ij μ_j);  dL/dμ_j += −(s/B)(1[c=j] − p_ij) e_i.
            Array.Clear(ge);
            for (var j = 0; j < clusters; j++)
            {
                var p = Math.Exp(logits[j] - logSum);
                var coefficient = ((j == c ? 1.0 : 0.0) - p) * scale * inverseBatch;
                TensorPrimitives.MultiplyAdd(mu.AsSpan(j * k, k), -coefficient, ge, ge);
                TensorPrimitives.MultiplyAdd(e, -coefficient, gradMu.AsSpan(j * k, k), gradMu.AsSpan(j * k, k));
            }

            // Through e = u/|u|: dL/du = (g − (g·e)e)/|u|;  dL/dW = dL/du · xᵀ.
            var ge_e = TensorPrimitives.Dot(ge, e);
            for (var r = 0; r < k; r++)
            {
                var gu = (ge[r] - (ge_e * e[r])) / uNorm;
                TensorPrimitives.MultiplyAdd(xi, gu, gradW.Slice(r * d, d), gradW.Slice(r * d, d));
            }
        }

        if (clusters > 1 && interWeight != 0)
        {
            // L_inter: q_jk = softmax_{k≠j}(s μ_j·μ_k); μ_j gets (γs/C) q_jk μ_k, μ_k gets (γs/C) q_jk μ_j.
            var factor = interWeight / clusters;
            for (var j = 0; j < clusters; j++)
            {
                for (var l = 0; l < clusters; l++)
                {
                    logits[l] = l == j ? 0 : scale * TensorPrimitives.Dot(mu.AsSpan(j * k, k), mu.AsSpan(l * k, k));
                }

                var logSum = LogSumExp(logits, skip: j);
                loss += factor * logSum;
                for (var l = 0; l < clusters; l++)
                {
                    if (l == j)
                    {
                        continue;
                    }

                    var q = Math.Exp(logits[l] - logSum) * factor * scale;
                    TensorPrimitives.MultiplyAdd(mu.AsSpan(l * k, k), q, gradMu.AsSpan(j * k, k), gradMu.AsSpan(j * k, k));
                    TensorPrimitives.MultiplyAdd(mu.AsSpan(j * k, k), q, gradMu.AsSpan(l * k, k), gradMu.AsSpan(l * k, k));
                }
            }
        }

        // Through μ = m/|m|.
        for (var j = 0; j < clusters; j++)
        {
            var g = gradMu.AsSpan(j * k, k);
            var muj = mu.AsSpan(j * k, k);
            var dot = TensorPrimitives.Dot(g, muj);
            for (var r = 0; r < k; r++)
            {
                gradM[(j * k) + r] += (g[r] - (dot * muj[r])) / muNorm[j];
            }
        }

        return loss;
    }

    private static double LogSumExp(ReadOnlySpan<double> values, int skip)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < values.Length; i++)
        {
            if (i != skip)
            {
                max = Math.Max(max, values[i]);
            }
        }

        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            if (i != skip)
            {
                sum += Math.Exp(values[i] - max);
            }
        }

        return max + Math.Log(sum);
    }
}
