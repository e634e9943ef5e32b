package dev.memtune.methods;

import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import dev.memtune.display.Format;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code memtune methods --backbone t5-base --task lm}: LST's trainable share in the text-to-text setting is LST Table 1's 1.74%. */
class TextToTextShareTest {
    @Test
    void lstOnT5BaseTextToTextIsThePapers174Percent() {
        Backbone b = Backbones.create("t5-base", 0);
        long base = b.numParams();
        try (TunedModel m = Methods.create("lst").attach(b, HeadSpec.lm())) {
            long own = m.methodParams().values().stream().mapToLong(p -> p.numel()).sum();
            assertEquals("1.74%", Format.percent((double) own / base));
        }
    }
}
