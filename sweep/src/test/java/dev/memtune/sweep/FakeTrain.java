package dev.memtune.sweep;

import com.google.gson.JsonObject;
import dev.memtune.data.Protocol;
import dev.memtune.train.ExperimentConfig;
import dev.memtune.train.Experiments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * Stands in for {@code dev.memtune.app.Main} in a sweep's child JVM: takes {@code memtune train}'s
 * arguments, fails (exit 3) for a config named {@code broken.json}, else writes a result file where
 * {@code memtune train} would, with the resolved settings (so a rerun reuses it), scores made from the
 * seed, the thread settings it was started with and the SHA-256 of the checkpoint it found to resume from
 * (which it then removes, as a finished run does). A config named {@code slow.json} runs for ten minutes
 * unless stopped; SIGTERM makes it write a checkpoint at step 5 first.
 */
public final class FakeTrain {
    public static void main(String[] argv) throws Exception {
        if (!argv[0].equals("train")) throw new IllegalArgumentException("expected train, got " + argv[0]);
        Map<String, String> a = new HashMap<>();
        Map<String, String> sets = new LinkedHashMap<>();
        for (int i = 1; i < argv.length; i++) {
            if (argv[i].equals("--resume")) continue;
            if (argv[i].equals("--set")) { String kv = argv[++i]; sets.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1)); continue; }
            a.put(argv[i].substring(2), argv[++i]);
        }
        Path config = Path.of(a.get("config"));
        if (config.getFileName().toString().equals("broken.json")) {
            System.err.println("boom: this cell always fails");
            System.exit(3);
        }
        int seed = Integer.parseInt(a.get("seed"));
        ExperimentConfig cfg = ExperimentConfig.load(config);
        ExperimentConfig.Resolved r = cfg.resolve(a.get("task"), seed, a.get("scale"), sets);
        if (config.getFileName().toString().equals("slow.json")) {      // trains until stopped; SIGTERM writes its checkpoint, as memtune train does
            Path dir = Path.of(a.get("out"), "checkpoints", cfg.table, cfg.id, r.task(), "seed" + seed);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Files.createDirectories(dir);
                    ParkedCheckpointsTest.checkpoint(dir, 5, 0, 30, 5f);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
            Thread.sleep(600_000);
            System.exit(4);
        }
        JsonObject o = new JsonObject();
        o.add("config", r.json());
        JsonObject data = new JsonObject();
        data.addProperty("split", Protocol.SPLIT);
        o.add("data", data);
        o.addProperty("best_validation_score", seed / 100.0);
        o.addProperty("test_score", seed / 1000.0);
        o.addProperty("omp_num_threads", System.getenv("OMP_NUM_THREADS"));
        o.addProperty("djl_num_threads", System.getProperty("ai.djl.pytorch.num_threads"));
        o.addProperty("working_dir", Path.of("").toAbsolutePath().toString());
        Path ckpt = Path.of(a.get("out"), "checkpoints", cfg.table, cfg.id, r.task(), "seed" + seed, "checkpoint.safetensors");
        if (Files.isRegularFile(ckpt)) {                                  // what memtune train --resume would continue from
            o.addProperty("resumed_sha256", sha256(ckpt));
            Files.delete(ckpt);
        }
        Path file = Experiments.resultFile(Path.of(a.get("out")), cfg, r.task(), seed);
        Files.createDirectories(file.getParent());
        Files.writeString(file, o.toString());
    }

    static String sha256(Path f) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }
}
