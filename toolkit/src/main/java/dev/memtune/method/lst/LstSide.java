package dev.memtune.method.lst;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.nn.Linear;
import dev.memtune.nn.Module;
import dev.memtune.nn.ModuleList;
import dev.memtune.nn.Param;

import java.util.List;

/**
 * The side network of LST on a BERT-family backbone (names as in the released code):
 * {@code first_downsample} (ladder on the embeddings), {@code downsamples.k} (ladder on kept
 * backbone layer {@code kept[k]}), {@code gate_alpha} [K], {@code layer.k} (a {@link BertModel.Layer}
 * of width d/r built from the narrowed config {@link #sideConfig}) and {@code upsample} (d/r -> d).
 * BERT blocks are post-LayerNorm, so the last side block already ends in its norm: the "side final
 * norm" of pre-LN kinds (T5 {@code final_layer_norm}) has no counterpart here.
 */
public final class LstSide extends Module {
    public final BackboneConfig sideConfig;
    public final List<Integer> kept;
    public final double temperature;
    public final Linear first_downsample, upsample;
    public final ModuleList<Linear> downsamples;
    public final Param gate_alpha;
    public final ModuleList<BertModel.Layer> layer;

    LstSide(NDManager m, BackboneConfig backbone, BackboneConfig side, List<Integer> kept, double temperature) {
        super(m);
        this.sideConfig = side;
        this.kept = List.copyOf(kept);
        this.temperature = temperature;
        int d = backbone.hiddenSize(), ds = side.hiddenSize(), k = kept.size();
        first_downsample = child("first_downsample", new Linear(m, d, ds, true));
        downsamples = child("downsamples", new ModuleList<>(m, k, i -> new Linear(m, d, ds, true)));
        gate_alpha = param("gate_alpha", new Shape(k));                  // alpha_k = 0: mu_k = 0.5
        layer = child("layer", new ModuleList<>(m, k, i -> new BertModel.Layer(m, side)));
        upsample = child("upsample", new Linear(m, ds, d, true));
    }

    /** Side blocks N(0, std) (HF init); ladders and up-projection PyTorch's default U(-1/sqrt(in), 1/sqrt(in)). */
    void initRandom(double std) {
        layer.initNormal(std);
        for (Linear l : allLadders()) torchDefault(l);
        torchDefault(upsample);
        gate_alpha.set(manager.zeros(gate_alpha.data().getShape(), DataType.FLOAT32));
    }

    private List<Linear> allLadders() {
        java.util.ArrayList<Linear> out = new java.util.ArrayList<>(downsamples.items());
        out.add(0, first_downsample);
        return out;
    }

    private void torchDefault(Linear l) {
        float b = (float) (1 / Math.sqrt(l.in));
        l.weight.set(manager.randomUniform(-b, b, l.weight.data().getShape()));
        l.bias.set(manager.randomUniform(-b, b, l.bias.data().getShape()));
    }

    /** Position of backbone layer {@code i} among the kept layers, or -1 when it was dropped. */
    public int slot(int i) { return kept.indexOf(i); }

    /** mu_k = sigmoid(alpha_k / T), a scalar. */
    public NDArray gate(int k) {
        return Activation.sigmoid(gate_alpha.data().get(k).div((float) temperature));
    }

    /** side = sideBlock_k(mu_k * side + (1 - mu_k) * ladder_k(h)); h: backbone layer kept[k]'s output [B,T,d]. */
    public NDArray step(int k, NDArray side, NDArray h, NDArray ext) {
        NDArray mu = gate(k);
        NDArray mixed = side.mul(mu).add(downsamples.get(k).forward(h).mul(mu.neg().add(1f)));   // [B,T,d/r]
        NDArray out = layer.get(k).forward(mixed, ext, false).hidden();  // kept by the block's own scope:
        NDScope.register(out);                                              // the caller's scope owns it
        return out;
    }
}
