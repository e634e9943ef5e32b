package dev.memtune.method.meft;

import dev.memtune.backbones.Backbones;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Paper defaults per variant and clear errors for impossible settings, naming the key. */
class MeftConfigTest {
    @ParameterizedTest(name = "{0}: lambda {1}, beta {2}, swap {3}")
    @CsvSource({"meft1, 0.1, 1.0, true", "meft2, 1.0, 0.1, true", "meft3, 0.1, 0.1, false"})
    void paperDefaults(String name, double lambda, double beta, boolean swap) {
        MeftConfig c = ((Meft) Methods.create(name)).config();
        assertEquals(name, c.method());
        assertEquals(lambda, c.lambda());
        assertEquals(beta, c.beta());
        assertEquals(swap, c.swap());
        assertEquals(8, c.bottleneck());
        assertEquals(0.02, c.initStd());
        assertEquals("all", c.toMap().get("reversible_layers"));
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @CsvSource({
            "meft1, lambda, 0, lambda", "meft2, lambda, -0.5, lambda", "meft1, lambda, NaN, lambda",
            "meft1, beta, 0, beta", "meft3, beta, -1, beta", "meft2, bottleneck, 0, bottleneck",
            "meft1, adapter_dropout, 1, adapter_dropout", "meft3, init_std, -0.1, init_std",
            "meft1, reversible_layers, -2, reversible_layers", "meft1, reversible_layers, some, reversible_layers",
            "meft2, lamda, 0.1, lamda"})
    void badOptionsNameTheKey(String method, String key, String value, String named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Methods.create(method, Map.of(key, value)));
        assertTrue(e.getMessage().contains(named), e.getMessage());
        assertTrue(e.getMessage().startsWith(method), e.getMessage());
    }

    @Test
    void unknownVariant() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Meft.fromOptions("meft4", new Options("meft4", Map.of())));
        assertTrue(e.getMessage().contains("meft4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MeftConfig.builder().setVariant(0).build());
    }

    @Test
    void reversibleLayersBeyondDepthFailsAtAttach() {
        var m = Methods.create("meft1", Map.of("reversible_layers", "3"));      // tiny-bert has 2 layers
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.attach(Backbones.create("tiny-bert", 1), HeadSpec.classification(2)));
        assertTrue(e.getMessage().contains("reversible_layers") && e.getMessage().contains("2 layers"), e.getMessage());
        try (var ok = Methods.create("meft1", Map.of("reversible_layers", "2")).attach(Backbones.create("tiny-bert", 1), HeadSpec.classification(2))) {
            assertEquals(2, ((MeftModel) ok).reversibleLayers());
        }
    }

    @Test
    void textToTextHeadRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Methods.create("meft2").attach(Backbones.create("tiny-bert", 1), HeadSpec.lm()));
        assertTrue(e.getMessage().startsWith("meft2"), e.getMessage());
    }
}
