package dev.memtune.train;

import com.google.gson.Gson;
import dev.memtune.step.AdamW;
import com.google.gson.GsonBuilder;
import dev.memtune.nn.Param;
import dev.memtune.weights.HostTensor;
import dev.memtune.weights.SafeTensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * A training checkpoint in a folder: {@code checkpoint.safetensors} holds the trainable parameters
 * ({@code param/<name>}), AdamW's moments ({@code exp_avg/<name>}, {@code exp_avg_sq/<name>}) and,
 * in its metadata, the {@link TrainState} as JSON ({@code state}), the optimizer step
 * ({@code optimizer_step}) and the train settings ({@code train_config}); {@code best.safetensors}
 * holds the best-on-validation trainable parameters. Both are written atomically
 * ({@link SafeTensors}: temporary file, then rename), the best first, so a killed run always leaves a consistent pair.
 */
public final class Checkpoint {
    static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().serializeNulls().create();
    private final Path dir;
    private final boolean resume;

    public Checkpoint(Path dir, boolean resume) {
        this.dir = dir;
        this.resume = resume;
    }

    public Path dir() { return dir; }

    /**
     * Bytes the two files of a run training {@code trainableParams} parameters take, headers aside (a few
     * KB of names and metadata): four float32 per parameter (the value, AdamW's two moments, the best value).
     * MEFT on bert-base: 905,666 parameters, 14.5 MB; full fine-tuning: 110 M, 1.8 GB.
     */
    public static long bytes(long trainableParams) { return 4L * Float.BYTES * trainableParams; }

    public Path file() { return dir.resolve("checkpoint.safetensors"); }

    /** True when resuming and a checkpoint is there to resume from. */
    public boolean exists() { return resume && Files.isRegularFile(file()); }

    /**
     * The train settings that differ between the saved run and {@code cfg}, as {@code key saved -> now}
     * joined by commas; null when they are the same (or when there is no checkpoint to resume).
     */
    String changedSettings(TrainConfig cfg) {
        if (!exists()) return null;
        Map<String, Object> saved = savedSettings(file(), SafeTensors.metadata(file())), now = settings(cfg);
        if (saved.equals(now)) return null;
        List<String> d = new ArrayList<>();
        Set<String> keys = new TreeSet<>(now.keySet());
        keys.addAll(saved.keySet());
        for (String k : keys)
            if (!Objects.equals(saved.get(k), now.get(k))) d.add(k + " " + saved.get(k) + " -> " + now.get(k));
        return String.join(", ", d);
    }

    /**
     * Moves the checkpoint folder aside, to a sibling {@code <folder>.stale-<time it was last written>}, so that a
     * run with other settings starts afresh and loses nothing; returns the new folder.
     */
    Path moveAside() {
        try {
            String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC)
                    .format(Files.getLastModifiedTime(file()).toInstant());
            Path to = dir.resolveSibling(dir.getFileName() + ".stale-" + stamp);
            for (int i = 2; Files.exists(to); i++) to = dir.resolveSibling(dir.getFileName() + ".stale-" + stamp + "-" + i);
            return Files.move(dir, to);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(dir + ": cannot move the stale checkpoint aside: " + e.getMessage(), e);
        }
    }

    /** The train settings as the checkpoint's metadata holds them (JSON numbers as doubles). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> settings(TrainConfig cfg) { return GSON.fromJson(GSON.toJson(cfg.toMap()), Map.class); }

    /** The train settings a checkpoint {@code f} with metadata {@code md} was written with. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> savedSettings(Path f, Map<String, String> md) {
        if (!"memtune-checkpoint-1".equals(md.get("format"))) throw new IllegalArgumentException(f + ": not a memtune checkpoint (metadata format " + md.get("format") + ")");
        return new LinkedHashMap<>(GSON.fromJson(md.get("train_config"), Map.class));
    }

    /** Writes the state; an interrupt pending on this thread is held back meanwhile (file channels refuse interrupted threads). */
    void save(TrainConfig cfg, Map<String, Param> trainable, AdamW opt, TrainState st, Map<String, float[]> best) {
        boolean interrupted = Thread.interrupted();
        try {
            write(cfg, trainable, opt, st, best);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private void write(TrainConfig cfg, Map<String, Param> trainable, AdamW opt, TrainState st, Map<String, float[]> best) {
        if (best != null) {
            Map<String, HostTensor> b = new LinkedHashMap<>();
            trainable.forEach((n, p) -> b.put("param/" + n, new HostTensor(p.data().getShape().getShape(), best.get(n))));
            SafeTensors.write(dir.resolve("best.safetensors"), b, Map.of("best_epoch", String.valueOf(st.bestEpoch)));
        }
        Map<String, HostTensor> t = new LinkedHashMap<>();
        trainable.forEach((n, p) -> {
            long[] shape = p.data().getShape().getShape();
            t.put("param/" + n, new HostTensor(shape, p.data().toFloatArray()));
            t.put("exp_avg/" + n, new HostTensor(shape, opt.state().get(n)[0].toFloatArray()));
            t.put("exp_avg_sq/" + n, new HostTensor(shape, opt.state().get(n)[1].toFloatArray()));
        });
        Map<String, String> md = new LinkedHashMap<>();
        md.put("format", "memtune-checkpoint-1");
        md.put("state", GSON.toJson(st));
        md.put("optimizer_step", String.valueOf(opt.step()));
        md.put("train_config", GSON.toJson(cfg.toMap()));
        SafeTensors.write(file(), t, md);
    }

    /** Loads tensors into the model and optimizer, the best parameters into {@code best}; returns the state. */
    TrainState restore(TrainConfig cfg, Map<String, Param> trainable, AdamW opt, Map<String, float[]> best) {
        Path f = file();
        Map<String, String> md = SafeTensors.metadata(f);
        Map<String, Object> saved = savedSettings(f, md), now = settings(cfg);
        if (!saved.equals(now)) throw new IllegalArgumentException(f + ": checkpoint was written with other train settings; saved " + saved + ", now " + now + " (use another output folder, or drop --resume)");   // the Trainer moves such a checkpoint aside first
        Map<String, HostTensor> t = SafeTensors.read(f);
        for (var e : trainable.entrySet()) {
            String n = e.getKey();
            HostTensor p = t.get("param/" + n), m = t.get("exp_avg/" + n), v = t.get("exp_avg_sq/" + n);
            if (p == null || m == null || v == null) throw new IllegalArgumentException(f + ": no state for trainable parameter '" + n + "' (was it written for another method or backbone?)");
            Param q = e.getValue();
            q.set(q.data().getManager().create(p.data(), q.data().getShape()));
            opt.setState(n, m.data(), v.data());
        }
        long extra = t.keySet().stream().filter(k -> k.startsWith("param/") && !trainable.containsKey(k.substring(6))).count();
        if (extra > 0) throw new IllegalArgumentException(f + ": holds " + extra + " parameters this model does not train (written for another method?)");
        opt.setStep(Long.parseLong(md.get("optimizer_step")));
        TrainState st = GSON.fromJson(md.get("state"), TrainState.class);
        Path bf = dir.resolve("best.safetensors");
        if (st.bestEpoch > 0 && Files.isRegularFile(bf))
            SafeTensors.read(bf).forEach((k, v) -> best.put(k.substring("param/".length()), v.data()));
        return st;
    }
}
