package dev.memtune.weights;

import org.apache.commons.math3.special.Erf;

import java.util.Map;

/**
 * A deliberately plain BERT encoder forward pass in double precision over host tensors with Hugging Face
 * names (loops, no libraries), used as an independent oracle (tests; verify-backbone for bert-base, which has no ONNX export): if a weight were misnamed, left untransposed or
 * mis-scaled, its output would not match ONNX Runtime's.
 */
public final class ReferenceBert {
    private final Map<String, HostTensor> w;
    private final int layers, heads, hidden;
    private final double eps;

    public ReferenceBert(Map<String, HostTensor> weights, int layers, int heads, double eps) {
        this.w = weights;
        this.layers = layers;
        this.heads = heads;
        this.eps = eps;
        this.hidden = (int) weights.get("embeddings.word_embeddings.weight").shape()[1];
    }

    /** last_hidden_state {@code [seq][hidden]} of one sequence; positions with mask 0 are ignored as keys. */
    public double[][] forward(long[] ids, long[] types, long[] mask) {
        int n = ids.length;
        double[][] x = new double[n][hidden];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < hidden; h++) {
                x[t][h] = w("embeddings.word_embeddings.weight").get((int) ids[t], h)
                    + w("embeddings.position_embeddings.weight").get(t, h)
                    + w("embeddings.token_type_embeddings.weight").get((int) types[t], h);
            }
        }
        x = layerNorm(x, "embeddings.LayerNorm");
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            double[][] q = linear(x, p + "attention.self.query"), k = linear(x, p + "attention.self.key"), v = linear(x, p + "attention.self.value");
            double[][] ctx = new double[n][hidden];
            int d = hidden / heads;
            for (int hd = 0; hd < heads; hd++) {
                for (int i = 0; i < n; i++) {
                    double[] s = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        if (mask[j] == 0) { s[j] = Double.NEGATIVE_INFINITY; continue; }
                        double dot = 0;
                        for (int c = 0; c < d; c++) dot += q[i][hd * d + c] * k[j][hd * d + c];
                        s[j] = dot / Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) { s[j] = Math.exp(s[j] - max); sum += s[j]; }
                    for (int j = 0; j < n; j++) {
                        for (int c = 0; c < d; c++) ctx[i][hd * d + c] += s[j] / sum * v[j][hd * d + c];
                    }
                }
            }
            x = layerNorm(add(linear(ctx, p + "attention.output.dense"), x), p + "attention.output.LayerNorm");
            double[][] inter = linear(x, p + "intermediate.dense");
            for (double[] row : inter) for (int c = 0; c < row.length; c++) row[c] = gelu(row[c]);
            x = layerNorm(add(linear(inter, p + "output.dense"), x), p + "output.LayerNorm");
        }
        return x;
    }

    /** {@code y = x W^T + b} with torch Linear layout {@code W [out, in]}. */
    public double[][] linear(double[][] x, String prefix) {
        HostTensor wt = w(prefix + ".weight"), b = w(prefix + ".bias");
        int out = (int) wt.shape()[0], in = (int) wt.shape()[1];
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double acc = b.data()[o];
                for (int i = 0; i < in; i++) acc += wt.data()[o * in + i] * x[t][i];
                y[t][o] = acc;
            }
        }
        return y;
    }

    public double[][] layerNorm(double[][] x, String prefix) {
        float[] g = w(prefix + ".weight").data(), b = w(prefix + ".bias").data();
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double mean = 0, var = 0;
            for (double v : x[t]) mean += v;
            mean /= x[t].length;
            for (double v : x[t]) var += (v - mean) * (v - mean);
            var /= x[t].length;
            y[t] = new double[x[t].length];
            for (int c = 0; c < x[t].length; c++) y[t][c] = (x[t][c] - mean) / Math.sqrt(var + eps) * g[c] + b[c];
        }
        return y;
    }

    public static double gelu(double v) { return 0.5 * v * (1 + Erf.erf(v / Math.sqrt(2))); }

    private static double[][] add(double[][] a, double[][] b) {
        for (int t = 0; t < a.length; t++) for (int c = 0; c < a[t].length; c++) a[t][c] += b[t][c];
        return a;
    }

    private HostTensor w(String name) {
        HostTensor t = w.get(name);
        if (t == null) throw new IllegalArgumentException("missing weight " + name);
        return t;
    }
}
