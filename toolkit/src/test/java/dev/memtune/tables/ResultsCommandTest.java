package dev.memtune.tables;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.memtune.train.ExperimentResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memtune results}: rows scaled x100 from hand-written result files, the per-method average over
 * the tasks every method has, its difference to full fine-tuning, and the papers' claims as differences
 * (LST Table 1: LST 84.1 - full 85.2 = -1.1, LoRA 85.3 - 85.2 = +0.1, worked out by hand).
 */
class ResultsCommandTest {
    static ExperimentResult result(Path dir, String method, String task, int seed, double test, String metricsJson) throws IOException {
        Path f = dir.resolve("glue/bert-base/" + method + "/" + task + "/seed" + seed + ".json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, """
                {"table": "glue", "config_id": "bert-base/%s", "task": "%s", "seed": %d, "method": "%s", "backbone": "bert-base",
                 "test_score": %s, "test": %s, "best_validation_score": 0.5, "best_epoch": 2, "epochs": [{}, {}, {}],
                 "train_seconds": 600, "trainable_share": 0.01, "peak_rss_bytes": 1000}""".formatted(method, task, seed, method, test, metricsJson));
        return ExperimentResult.read(f);
    }

    /** Full fine-tuning's rows both tests start from: RTE 66.0, MRPC 88.0 (F1 91.0, accuracy 85.0). */
    static List<ExperimentResult> fullOnRteAndMrpc(Path dir) throws IOException {
        List<ExperimentResult> rs = new ArrayList<>();
        rs.add(result(dir, "full", "rte", 42, 0.66, "{\"accuracy\": 0.66}"));
        rs.add(result(dir, "full", "mrpc", 42, 0.88, "{\"accuracy\": 0.85, \"f1\": 0.91, \"f1_accuracy_mean\": 0.88}"));
        return rs;
    }

    @Test
    void rowsAveragesAndClaims(@TempDir Path dir) throws IOException {
        List<ExperimentResult> rs = fullOnRteAndMrpc(dir);
        rs.add(result(dir, "lst", "rte", 42, 0.60, "{\"accuracy\": 0.60}"));
        rs.add(result(dir, "lst", "rte", 43, 0.64, "{\"accuracy\": 0.64}"));
        rs.add(result(dir, "lst", "mrpc", 42, 0.80, "{\"accuracy\": 0.78, \"f1\": 0.82, \"f1_accuracy_mean\": 0.80}"));
        rs.add(result(dir, "lora", "rte", 42, 0.62, "{\"accuracy\": 0.62}"));           // no MRPC: averages use RTE only

        List<JsonObject> rows = ResultsCommand.rows(rs, "bert-base");
        assertEquals(6, rows.size());
        JsonObject mrpc = rows.stream().filter(o -> o.get("method").getAsString().equals("full") && o.get("task").getAsString().equals("mrpc")).findFirst().orElseThrow();
        assertEquals(88.0, mrpc.get("test_score").getAsDouble(), 1e-9);
        assertEquals(91.0, mrpc.getAsJsonObject("test_metrics").get("f1").getAsDouble(), 1e-9);
        assertEquals(3, mrpc.get("epochs").getAsInt());

        String md = ResultsCommand.markdown(rows, "glue", "bert-base");
        // only rte is common to all methods: full 66.0, lst mean(60, 64) = 62.0 -> -4.0, lora 62.0 -> -4.0;
        // over both tasks (before it): full (66 + 88) / 2 = 77.0, lst (62 + 80) / 2 = 71.0 -> -6.0, lora lacks mrpc
        assertTrue(md.contains("| method | rte | mrpc | avg (all 2 tasks) | Δ vs full | avg (rte) | Δ vs full | paper: Δ vs full |"), md);
        assertTrue(md.contains("| full | 66.0 | 88.0 | 77.0 | 0 | 66.0 | 0 |"), md);
        assertTrue(md.contains("| lst | 62.0 ± 2.8 [2] | 80.0 | 71.0 | -6.0 | 62.0 | -4.0 | -1.1 |"), md);
        assertTrue(md.contains("| lora | 62.0 | — | — | — | 62.0 | -4.0 | +0.1 |"), md);
        assertTrue(md.contains("|---|---|---|---|---|---|---|---|---|---|\n"), "10 columns: " + md);
        assertTrue(md.contains("LST Table 1, T5-base GLUE average: 84.1 vs full 85.2"), md);
        assertTrue(MarkdownTable.toHtml(md).contains("<td>62.0 ± 2.8 [2]</td>"));
    }

    @Test
    void withoutATaskCommonToAllTheDifferenceIsPairedOverEachMethodsTasks(@TempDir Path dir) throws IOException {
        List<ExperimentResult> rs = fullOnRteAndMrpc(dir);
        rs.add(result(dir, "lora", "mrpc", 42, 0.895, "{\"accuracy\": 0.88, \"f1\": 0.91, \"f1_accuracy_mean\": 0.895}"));
        rs.add(result(dir, "lst", "rte", 42, 0.525, "{\"accuracy\": 0.525}"));
        rs.add(result(dir, "bitfit", "stsb", 42, 0.85, "{\"pearson\": 0.85, \"spearman\": 0.85}"));
        String md = ResultsCommand.markdown(ResultsCommand.rows(rs, "bert-base"), "glue", "bert-base");
        // by hand: lora 89.5 - 88.0 = +1.5 on mrpc; lst 52.5 - 66.0 = -13.5 on rte; bitfit shares no task with full
        assertTrue(md.contains("| method | rte | mrpc | stsb | avg (no task run by every method yet) |"), "full lacks stsb: no all-task average");
        assertTrue(md.contains("| n/a | +1.5 (mrpc) |"), md);
        assertTrue(md.contains("| n/a | -13.5 (rte) |"), md);
        assertTrue(md.contains("| bitfit | — | — | 85.0 | n/a | n/a |"), md);
        assertFalse(md.contains("NaN"), md);
    }

    @Test
    void qaTableShowsMeftsTasksThatDidNotRunAsNaWithTheReason(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data");                  // openbookqa and arc-easy staged; piqa with its train labels only; no sciq, no arc-challenge
        for (String f : List.of("openbookqa/train.jsonl", "arc-easy/train.jsonl", "piqa/train-labels.lst")) {
            Files.createDirectories(data.resolve(f).getParent());
            Files.writeString(data.resolve(f), "");
        }
        List<ExperimentResult> rs = new ArrayList<>();
        rs.add(result(dir, "full", "copa", 42, 0.66, "{\"accuracy\": 0.66}"));
        rs.add(result(dir, "lora", "copa", 42, 0.61, "{\"accuracy\": 0.61}"));
        rs.add(result(dir, "lora", "arc-easy", 42, 0.40, "{\"accuracy\": 0.40}"));
        String md = ResultsCommand.markdown(ResultsCommand.rows(rs, "bert-base"), "qa", "bert-base", data);
        // MEFT's order, COPA last; arc-easy ran (for lora only), so it is a column of runs, not n/a; averages over copa alone: 61 - 66 = -5.0
        assertTrue(md.contains("| method | openbookqa | piqa | arc-easy | arc-challenge | sciq | copa | avg (copa) |"), md);
        assertTrue(md.contains("| full | n/a | n/a | — | n/a | n/a | 66.0 | 66.0 | 0 |"), md);
        assertTrue(md.contains("| lora | n/a | n/a | 40.0 | n/a | n/a | 61.0 | 61.0 | -5.0 |"), md);
        assertTrue(md.contains("- piqa: n/a, its training split is not staged (no piqa/train.jsonl in " + data + "): reproduce/memtune fetch-data --task piqa"), md);
        assertTrue(md.contains("- sciq: n/a, its training split is not staged (no sciq/train.json in "), md);
        assertTrue(md.contains("- arc-challenge: n/a, its training split is not staged (no arc-challenge/train.jsonl in "), md);
        assertTrue(md.contains("- openbookqa: n/a, no committed run on bert-base yet"), md);
        assertFalse(md.contains("arc-easy: n/a"), md);
        assertFalse(ResultsCommand.markdown(ResultsCommand.rows(rs, "bert-base"), "glue", "bert-base", data).contains("piqa"));   // GLUE adds no QA columns
    }

    static ExperimentResult probe(Path dir, String probe, String method, String task, double validation, double test) throws IOException {
        Path f = dir.resolve("probes/bert-base/" + probe + "/" + task + "/seed42.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, """
                {"table": "probes", "config_id": "bert-base/%s", "task": "%s", "seed": 42, "method": "%s", "backbone": "bert-base",
                 "config": {"description": "what %s changed"}, "test_score": %s, "test": {"accuracy": %s}, "best_validation_score": %s,
                 "best_epoch": 4, "epochs": [{}, {}, {}, {}, {}], "train_seconds": 1380, "trainable_share": 0.02, "peak_rss_bytes": 1000}"""
                .formatted(probe, task, method, probe, test, test, validation));
        return ExperimentResult.read(f);
    }

    @Test
    void probesStandBesideTheTablesRowOfTheirMethodAndFullFineTunings(@TempDir Path dir) throws IOException {
        fullOnRteAndMrpc(dir);                                                     // the files under dir/glue/bert-base
        result(dir, "lst", "rte", 42, 0.525, "{\"accuracy\": 0.525}");
        probe(dir, "symtune-lr1e-3", "symtune", "cola", 0.30, 0.25);
        probe(dir, "lst-released-lr1e-3", "lst", "rte", 0.638, 0.612);
        List<JsonObject> rows = ProbeTable.rows(dir, "bert-base");
        JsonObject lst = rows.get(0);
        assertEquals("lst-released-lr1e-3", lst.get("probe").getAsString());
        assertEquals("lst", lst.get("method").getAsString());
        assertEquals(52.5, lst.get("table_test_score").getAsDouble(), 1e-9);
        assertEquals(66.0, lst.get("full_test_score").getAsDouble(), 1e-9);
        assertTrue(rows.get(1).get("table_test_score").isJsonNull());            // no symtune or full row on cola

        String md = ProbeTable.markdown(rows, "bert-base");
        // by hand: 61.2 - 52.5 = +8.7 against the table's LST; 61.2 - 66.0 = -4.8 against full; 1380 s = 23 min
        assertTrue(md.contains("| lst-released-lr1e-3 (lst) | rte | 42 | 63.8 / 61.2 | 4 of 5 | 50.0 / 52.5 | +8.7 | 50.0 / 66.0 | -4.8 | 23 min |"), md);
        assertTrue(md.contains("| symtune-lr1e-3 (symtune, reconstruction) | cola | 42 | 30.0 / 25.0 | 4 of 5 | not run | n/a | not run | n/a | 23 min |"), md);
        assertTrue(md.contains("lst-released-lr1e-3: what lst-released-lr1e-3 changed"), md);
        assertTrue(md.contains("probe runs: 2; machine time: 0.8 h"), md);
    }
}
