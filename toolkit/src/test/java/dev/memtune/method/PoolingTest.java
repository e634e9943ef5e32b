package dev.memtune.method;

import dev.memtune.methods.Methods;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbones.Backbones;
import dev.memtune.backbone.Batch;
import dev.memtune.weights.TestArtifacts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** How pooled heads summarise a sequence: the config's {@code pooling}, the published models' own, overrides. */
class PoolingTest {
    @Test
    void theConfigKeyPicksThePoolingAndABadValueNamesTheKey() {
        BackboneConfig c = Backbones.preset("tiny-bert");
        assertEquals("first", TunedModel.pooling(c));
        assertEquals("mean", TunedModel.pooling(Backbones.preset("tiny-t5")));
        assertEquals("last", TunedModel.pooling(Backbones.preset("tiny-opt")));
        assertEquals("mean", TunedModel.pooling(c.with(Map.of("pooling", "mean"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TunedModel.pooling(c.with(Map.of("pooling", "avg"))));
        assertTrue(e.getMessage().contains("'pooling'") && e.getMessage().contains("avg"), e.getMessage());
    }

    /** Mean pooling is the average of the unpadded rows, computed here element by element. */
    @Test
    void meanPoolingAveragesTheRealTokensOnly() {
        try (NDManager nd = NDManager.newBaseManager();
             TunedModel m = Methods.create("full").attach(Backbones.create(Backbones.preset("tiny-bert").with(Map.of("pooling", "mean")), 3), HeadSpec.classification(2))) {
            assertEquals("mean", m.head().pooling);
            m.train(false);
            long[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 0, 0, 0}};
            NDArray ids = nd.create(new long[][]{{2, 5, 7, 3, 9}, {2, 8, 0, 0, 0}}), am = nd.create(mask);
            NDArray h = m.features(Batch.encoder(ids, am, ids.zerosLike()));
            float[] hs = h.toFloatArray(), pooled = m.head().pool(h, am).toFloatArray();
            int t = 5, d = (int) h.getShape().get(2);
            for (int b = 0; b < 2; b++)
                for (int j = 0; j < d; j++) {
                    double sum = 0;
                    int n = 0;
                    for (int i = 0; i < t; i++) if (mask[b][i] == 1) { sum += hs[(b * t + i) * d + j]; n++; }
                    assertEquals(sum / n, pooled[b * d + j], 1e-5, "row " + b + " dim " + j);
                }
        }
    }

    /** all-MiniLM-L6-v2 was trained with mean pooling (sentence-transformers), bge-small with [CLS]; an override wins. */
    @Test
    void publishedModelsPoolAsTheyWereTrained() throws IOException {
        TestArtifacts.jar(TestArtifacts.MINILM);
        TestArtifacts.jar(TestArtifacts.BGE);
        try (Backbone minilm = Backbones.load("minilm-l6"); Backbone bge = Backbones.load("bge-small");
             Backbone first = Backbones.load("minilm-l6", Map.of("pooling", "first"))) {
            assertEquals("mean", TunedModel.pooling(minilm.config()));
            assertEquals("first", TunedModel.pooling(bge.config()));
            assertEquals("first", TunedModel.pooling(first.config()));
        }
    }
}
