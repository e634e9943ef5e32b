package dev.memtune.tables;

import static org.junit.jupiter.api.Assertions.*;

import dev.memtune.profile.ProfileResult;
import dev.memtune.profile.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Claim verdicts from hand-made measurements, and the HTML round trip the report relies on. */
class ClaimChecksTest {
    /** A measurement with a training footprint of {@code trainGb} (peak minus baseline) and {@code activations} bytes. */
    static ProfileResult measured(String backbone, String method, double trainGb, long activations, int layers) {
        long base = 1_000_000_000L;
        return new ProfileResult(new Workload(backbone, method, 100, 128, "lm", 8, layers, 42), 2, "fp32", "ok", null,
                base, 0, 0, base + (long) (trainGb * 1e9), 0, 0, 0, activations, 0, 0, 0, List.of(), 0, 0f, 0f, 0, 0, true, null);
    }

    @Test
    void lstMemoryVerdicts() {
        // paper: LST 0.31 of full (saving 69%), adapter/LoRA 0.72-0.74
        ClaimChecks met = ClaimChecks.lstMemory(List.of(measured("t5-base", "full", 10, 0, 0), measured("t5-base", "lora", 7.8, 0, 0),
                measured("t5-base", "adapter", 6.8, 0, 0), measured("t5-base", "lst", 2.9, 0, 0)));
        ClaimChecks.Claim c = met.claims().get(0);
        assertEquals(ClaimChecks.Verdict.MET, c.verdict());
        assertTrue(c.ours().startsWith("71% / 27%"), c.ours());                    // 1-0.29, 1-(0.78+0.68)/2
        assertEquals(ClaimChecks.Verdict.NOT_MET, ClaimChecks.lstMemory(List.of(measured("t5-base", "full", 10, 0, 0),
                measured("t5-base", "lst", 4, 0, 0))).claims().get(0).verdict(), "a 60% saving is more than 5 points short");
        assertEquals(ClaimChecks.Verdict.NA, ClaimChecks.lstMemory(List.of(measured("t5-small", "full", 1, 0, 0),
                measured("t5-small", "lst", 0.2, 0, 0))).claims().get(0).verdict(), "not the paper's backbone");
        assertEquals(ClaimChecks.Verdict.NA, ClaimChecks.lstMemory(List.of(measured("t5-base", "lst", 2, 0, 0))).claims().get(0).verdict());
    }

    @Test
    void meftActivationVerdicts() {
        ClaimChecks c = ClaimChecks.meftActivations(List.of(measured("bert-base", "full", 5, 1000, 0), measured("bert-base", "meft1", 2, 190, 0),
                measured("bert-base", "meft3", 2, 250, 0)));
        assertEquals(ClaimChecks.Verdict.MET, c.claims().get(0).verdict());
        assertTrue(c.claims().get(0).ours().startsWith("up to 81% (meft1"), c.claims().get(0).ours());
        assertEquals(ClaimChecks.Verdict.NOT_MET, ClaimChecks.meftActivations(List.of(measured("bert-base", "full", 5, 1000, 0),
                measured("bert-base", "meft1", 2, 300, 0))).claims().get(0).verdict());
    }

    @Test
    void htmlRoundTrip() {
        ClaimChecks c = new ClaimChecks("t", List.of(new ClaimChecks.Claim("LST", "a \"quoted\" <claim> & more", "69%", "71% (t5-base)", ClaimChecks.Verdict.NOT_MET, "why")));
        assertEquals(c.claims(), ClaimChecks.parse("<div>" + c.toHtml() + "</div>"));
        assertEquals(List.of(), ClaimChecks.parse("<table><tr><td>x</td></tr></table>"));
    }
}
