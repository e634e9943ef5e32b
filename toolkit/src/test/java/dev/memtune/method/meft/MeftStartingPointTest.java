package dev.memtune.method.meft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.*;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.method.HeadSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

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
 * up to the 0.1 leak, and the head reads the average of two consecutive states.
 */
class MeftStartingPointTest {
    static final int LAYERS = 3;

    static BackboneConfig cfg() { return Backbones.preset("tiny-bert").with(Map.of("num_hidden_layers", LAYERS)); }

    static Batch batch(NDManager nd) {
        NDArray ids = nd.create(new long[][]{{2, 5, 7, 3, 9, 4}, {2, 8, 6, 3, 0, 0}});
        return Batch.encoder(ids, nd.create(new long[][]{{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}}), ids.zerosLike());
    }

    static MeftModel zeroAdapters(int variant, double lambda, double beta) {
        MeftConfig c = MeftConfig.builder().setVariant(variant).optLambda(lambda).optBeta(beta).optInitStd(0).build();
        MeftModel m = new Meft(c).attach(Backbones.create(cfg(), 21), HeadSpec.classification(2));
        m.train(false);
        return m;
    }

    static float maxDiff(NDArray a, NDArray b) { return a.sub(b).abs().max().getFloat(); }

    @ParameterizedTest(name = "meft{0}")
    @ValueSource(ints = {1, 2, 3})
    void limitOfSmallFactorsIsThePretrainedModel(int variant) {
        double eps = 1e-7;
        double lambda = variant == 2 ? 1 : eps, beta = variant == 1 ? 1 : eps;
        try (NDManager nd = NDManager.newBaseManager(); BertModel ref = (BertModel) Backbones.create(cfg(), 21);
             MeftModel m = zeroAdapters(variant, lambda, beta)) {
            Batch in = batch(nd);
            List<NDArray> h = ref.forward(in, Capture.HIDDEN).hiddenStates();   // h0 .. hN
            MeftLayer.Streams s = m.streams(in);
            NDArray hN = h.get(LAYERS), hPrev = h.get(LAYERS - 1);
            switch (variant) {
                case 1 -> { assertTrue(maxDiff(s.x1(), hPrev) < 1e-5); assertTrue(maxDiff(s.x2(), hN) < 1e-5); }
                case 2 -> { assertTrue(maxDiff(s.x1(), hN) < 1e-5); assertTrue(maxDiff(s.x2(), hPrev) < 1e-5); }
                default -> {
                    NDArray attn = ref.layer(LAYERS - 1).attentionBlock(hPrev, BertModel.extendedMask(in.attentionMask()), null);
                    assertTrue(maxDiff(s.x1(), attn) < 1e-5, "x1 vs attention block " + maxDiff(s.x1(), attn));
                    assertTrue(maxDiff(s.x2(), hN) < 1e-5, "x2 vs h_N " + maxDiff(s.x2(), hN));
                }
            }
            NDArray want = variant == 3 ? null : hPrev.add(hN).div(2f);
            if (want != null) assertTrue(maxDiff(m.features(in), want) < 1e-5);
        }
    }

    @ParameterizedTest(name = "meft{0}")
    @ValueSource(ints = {1, 2, 3})
    void paperFactorsGiveTheLeakyChain(int variant) {
        double lambda = MeftConfig.defaultLambda(variant), beta = MeftConfig.defaultBeta(variant);
        try (NDManager nd = NDManager.newBaseManager(); BertModel ref = (BertModel) Backbones.create(cfg(), 21);
             MeftModel m = zeroAdapters(variant, lambda, beta)) {
            Batch in = batch(nd);
            NDArray ext = BertModel.extendedMask(in.attentionMask());
            NDArray h0 = ref.embeddings.forward(in.inputIds(), in.tokenTypeIds());
            NDArray want;
            if (variant < 3) {                                                 // s_{i+1} = L_i(s_i) + 0.1 s_{i-1}
                NDArray prev = h0, cur = h0;
                for (int i = 0; i < LAYERS; i++) {
                    NDArray next = ref.layer(i).forward(cur, ext, false).hidden().add(prev.mul(0.1f));
                    prev = cur;
                    cur = next;
                }
                want = prev.add(cur).div(2f);
            } else {                                                           // p' = 0.1 p + A(q), q' = 0.1 q + FFN(p')
                NDArray p = h0, q = h0;
                for (int i = 0; i < LAYERS; i++) {
                    NDArray p2 = ref.layer(i).attentionBlock(q, ext, null).add(p.mul(0.1f));
                    q = ref.layer(i).ffnBlock(p2).add(q.mul(0.1f));
                    p = p2;
                }
                want = p.add(q).div(2f);
            }
            NDArray got = m.features(in);
            assertTrue(maxDiff(got, want) < 1e-5, "meft" + variant + " vs the leaky chain: " + maxDiff(got, want));
            NDArray hN = ref.forward(in, Capture.NONE).lastHiddenState();
            double cos = got.mul(hN).sum(new int[]{2}).div(got.norm(new int[]{2}).mul(hN.norm(new int[]{2}))).mean().getFloat();
            System.out.printf("meft%d zero adapters, paper factors: max |features - h_N| = %.4f, mean cosine(features, h_N) = %.4f%n",
                    variant, maxDiff(got, hN), cos);
        }
    }
}
