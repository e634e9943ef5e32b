package dev.memtune.method.meft;

import dev.memtune.backbone.Batch;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.*;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.backbone.opt.OptModel;
import dev.memtune.method.HeadSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What MEFT keeps at initialisation, checked against the backbone's own forward (its hidden states
 * and its layer/sub-layer functions), never against MEFT's code. With zero adapters:
 * <ul>
 *   <li>as the small factor(s) go to 0, the top streams are exactly the pretrained model's
 *       (h_{N-1}, h_N) for MEFT1/2 and (attention block of layer N on h_{N-1}, h_N) for MEFT3;</li>
 *   <li>at the paper's factors, MEFT1 and MEFT2 compute the 0.1-leaky chain
 *       {@code s_{i+1} = L_i(s_i) + 0.1 s_{i-1}} and MEFT3 its two-block analogue.</li>
 * </ul>
 * The paper's "starting point" is thus approximate: each pretrained layer sees its pretrained input
 * up to the 0.1 leak, and the head reads the average of two consecutive states (for OPT, through
 * the decoder's own final norm and projection). On BERT, pre-LN OPT and post-LN OPT with projections
 * (opt-350m's form); the reference functions are each backbone's own layer, block and final-step code.
 */
class MeftStartingPointTest {
    static final int LAYERS = 3;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String preset : List.of("tiny-bert", "tiny-opt", "tiny-opt-postln"))
            for (int v = 1; v <= 3; v++) out.add(Arguments.of(v, preset));
        return out.stream();
    }

    static BackboneConfig cfg(String preset) { return Backbones.preset(preset).with(Map.of("num_hidden_layers", LAYERS)); }

    static Batch batch(NDManager nd) {
        NDArray ids = nd.create(new long[][]{{2, 5, 7, 3, 9, 4}, {2, 8, 6, 3, 0, 0}});
        return Batch.encoder(ids, nd.create(new long[][]{{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}}), ids.zerosLike());
    }

    static MeftModel zeroAdapters(String preset, int variant, double lambda, double beta) {
        MeftConfig c = MeftConfig.builder().setVariant(variant).optLambda(lambda).optBeta(beta).optInitStd(0).build();
        MeftModel m = new Meft(c).attach(Backbones.create(cfg(preset), 21), HeadSpec.classification(2));
        m.train(false);
        return m;
    }

    /** A backbone's own pieces, in eval mode: embeddings, layer i, its two blocks, the step before a head. */
    interface Ref {
        NDArray h0();
        NDArray layer(int i, NDArray h);
        NDArray attention(int i, NDArray h);
        NDArray ffn(int i, NDArray h);
        NDArray finish(NDArray h);

        /** h_0 .. h_N, each the previous run through the backbone's own layer. */
        default List<NDArray> states() {
            List<NDArray> h = new ArrayList<>(List.of(h0()));
            for (int i = 0; i < LAYERS; i++) h.add(layer(i, h.get(i)));
            return h;
        }
    }

    static Ref ref(Backbone b, Batch in) {
        if (b instanceof BertModel bert) {
            NDArray ext = BertModel.extendedMask(in.attentionMask());
            return new Ref() {
                public NDArray h0() { return bert.embeddings.forward(in.inputIds(), in.tokenTypeIds()); }
                public NDArray layer(int i, NDArray h) { return bert.layer(i).forward(h, ext, false).hidden(); }
                public NDArray attention(int i, NDArray h) { return bert.layer(i).attentionBlock(h, ext, null); }
                public NDArray ffn(int i, NDArray h) { return bert.layer(i).ffnBlock(h); }
                public NDArray finish(NDArray h) { return h; }
            };
        }
        OptModel opt = (OptModel) b;
        NDArray mask = AttentionMask.additive(in.attentionMask(), true);
        return new Ref() {
            public NDArray h0() { return opt.decoder.embed(in.inputIds(), in.attentionMask()); }
            public NDArray layer(int i, NDArray h) { return opt.layer(i).forward(h, mask, false).hidden(); }
            public NDArray attention(int i, NDArray h) { return opt.layer(i).attentionBlock(h, mask, null); }
            public NDArray ffn(int i, NDArray h) { return opt.layer(i).ffnBlock(h); }
            public NDArray finish(NDArray h) { return opt.decoder.finish(h); }
        };
    }

    static float maxDiff(NDArray a, NDArray b) { return a.sub(b).abs().max().getFloat(); }

    @ParameterizedTest(name = "meft{0} on {1}")
    @MethodSource("cases")
    void limitOfSmallFactorsIsThePretrainedModel(int variant, String preset) {
        double eps = 1e-7;
        double lambda = variant == 2 ? 1 : eps, beta = variant == 1 ? 1 : eps;
        try (NDManager nd = NDManager.newBaseManager(); Backbone b = Backbones.create(cfg(preset), 21);
             MeftModel m = zeroAdapters(preset, variant, lambda, beta)) {
            b.train(false);
            Batch in = batch(nd);
            Ref r = ref(b, in);
            List<NDArray> h = r.states();                                       // h0 .. hN
            NDArray last = b.forward(in, Capture.NONE).lastHiddenState();      // the backbone's own output
            assertTrue(maxDiff(r.finish(h.get(LAYERS)), last) < 1e-5, "reference chain vs the backbone's forward");
            MeftLayer.Streams s = m.streams(in);
            NDArray hN = h.get(LAYERS), hPrev = h.get(LAYERS - 1);
            switch (variant) {
                case 1 -> { assertTrue(maxDiff(s.x1(), hPrev) < 1e-5); assertTrue(maxDiff(s.x2(), hN) < 1e-5); }
                case 2 -> { assertTrue(maxDiff(s.x1(), hN) < 1e-5); assertTrue(maxDiff(s.x2(), hPrev) < 1e-5); }
                default -> {
                    NDArray attn = r.attention(LAYERS - 1, hPrev);
                    assertTrue(maxDiff(s.x1(), attn) < 1e-5, "x1 vs attention block " + maxDiff(s.x1(), attn));
                    assertTrue(maxDiff(s.x2(), hN) < 1e-5, "x2 vs h_N " + maxDiff(s.x2(), hN));
                }
            }
            NDArray want = variant == 3 ? r.finish(r.attention(LAYERS - 1, hPrev).add(hN).div(2f)) : r.finish(hPrev.add(hN).div(2f));
            assertTrue(maxDiff(m.features(in), want) < 1e-5, "features vs the backbone's final step on the stream average");
        }
    }

    @ParameterizedTest(name = "meft{0} on {1}")
    @MethodSource("cases")
    void paperFactorsGiveTheLeakyChain(int variant, String preset) {
        double lambda = MeftConfig.defaultLambda(variant), beta = MeftConfig.defaultBeta(variant);
        try (NDManager nd = NDManager.newBaseManager(); Backbone b = Backbones.create(cfg(preset), 21);
             MeftModel m = zeroAdapters(preset, variant, lambda, beta)) {
            b.train(false);
            Batch in = batch(nd);
            Ref r = ref(b, in);
            NDArray h0 = r.h0();
            NDArray want;
            if (variant < 3) {                                                 // s_{i+1} = L_i(s_i) + 0.1 s_{i-1}
                NDArray prev = h0, cur = h0;
                for (int i = 0; i < LAYERS; i++) {
                    NDArray next = r.layer(i, cur).add(prev.mul(0.1f));
                    prev = cur;
                    cur = next;
                }
                want = prev.add(cur).div(2f);
            } else {                                                           // p' = 0.1 p + A(q), q' = 0.1 q + FFN(p')
                NDArray p = h0, q = h0;
                for (int i = 0; i < LAYERS; i++) {
                    NDArray p2 = r.attention(i, q).add(p.mul(0.1f));
                    q = r.ffn(i, p2).add(q.mul(0.1f));
                    p = p2;
                }
                want = p.add(q).div(2f);
            }
            want = r.finish(want);
            NDArray got = m.features(in);
            assertTrue(maxDiff(got, want) < 1e-5, "meft" + variant + " vs the leaky chain: " + maxDiff(got, want));
            NDArray hN = b.forward(in, Capture.NONE).lastHiddenState();
            double cos = got.mul(hN).sum(new int[]{2}).div(got.norm(new int[]{2}).mul(hN.norm(new int[]{2}))).mean().getFloat();
            System.out.printf("meft%d on %s, zero adapters, paper factors: max |features - h_N| = %.4f, mean cosine(features, h_N) = %.4f%n",
                    variant, preset, maxDiff(got, hN), cos);
        }
    }
}
