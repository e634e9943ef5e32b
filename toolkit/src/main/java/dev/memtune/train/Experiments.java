package dev.memtune.train;

import dev.memtune.sys.Project;
import dev.memtune.sys.ProcMemory;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.*;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import dev.memtune.data.DataSource;
import dev.memtune.data.MissingDataException;
import dev.memtune.data.Protocol;
import dev.memtune.data.Task;
import dev.memtune.data.TaskData;
import dev.memtune.data.Tasks;
import dev.memtune.hub.ModelSpec;
import dev.memtune.method.Method;
import dev.memtune.methods.Methods;
import dev.memtune.method.TunedModel;
import dev.memtune.method.TrainingExamples;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressEvent;
import dev.memtune.tokenize.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.*;
import java.time.Instant;
import java.util.*;

/**
 * Runs one experiment (config x task x seed x scale) end to end and stores its result JSON at
 * {@code <out>/results/<table>/<config-id>/<task>/seed<k>.json}; the CLI ({@code memtune train}) and
 * the notebooks call this. A result that exists and was made with the same resolved settings is
 * returned without training (that is how notebooks resume); {@code force} retrains.
 * Checkpoints live in {@code <out>/checkpoints/...} while a run is in progress and are removed
 * when its result is written; {@code resume} continues an interrupted run from there.
 *
 * <pre>
 *   ExperimentResult r = Experiments.run(Path.of("reproduce/configs/glue/minilm-l6/lora.json"), "rte", 42, "cpu");
 *   r.testScore();  r.json();
 * </pre>
 */
public final class Experiments {
    private Experiments() {}

    /** Options of a run beyond (config, task, seed, scale). */
    public record RunOptions(Path out, boolean resume, boolean force, Map<String, String> sets) {
        public static RunOptions defaults() { return new RunOptions(defaultOut(), true, false, Map.of()); }

        public RunOptions withOut(Path o) { return new RunOptions(o, resume, force, sets); }
        public RunOptions withResume(boolean r) { return new RunOptions(out, r, force, sets); }
        public RunOptions withForce(boolean f) { return new RunOptions(out, resume, f, sets); }
        public RunOptions withSets(Map<String, String> s) { return new RunOptions(out, resume, force, s); }
    }

    /**
     * Where results and checkpoints go: {@code -Dmemtune.out} or {@code MEMTUNE_OUT} (a folder every worker
     * of a cluster shares), else {@code reproduce/out} under the project folder ({@link Project#root()}).
     */
    public static Path defaultOut() {
        String o = System.getProperty("memtune.out");
        if (o == null || o.isBlank()) o = System.getenv("MEMTUNE_OUT");
        return o == null || o.isBlank() ? Project.reproduce("out") : Path.of(o).toAbsolutePath();
    }

    /** Runs (or reuses) one experiment with default options: results in {@link #defaultOut()}, resume on. */
    public static ExperimentResult run(Path config, String task, int seed, String scale) {
        return run(config, task, seed, scale, RunOptions.defaults());
    }

    public static ExperimentResult run(Path config, String task, int seed, String scale, RunOptions o) {
        ExperimentConfig cfg = ExperimentConfig.load(config);
        ExperimentConfig.Resolved r = cfg.resolve(task, seed, scale, o.sets());
        Path result = resultFile(o.out(), cfg, r.task(), seed);
        DataSource source;
        MissingDataException missing = null;
        try {
            source = Tasks.get(r.task()).locate(Protocol.parse(r.protocol()), samplesAllowed(scale));
        } catch (MissingDataException e) {                          // a committed run needs no data
            source = null;
            missing = e;
        }
        Path kept = resultIn(committed(), cfg, r.task(), seed);
        if (!o.force() && !kept.equals(result) && Files.isRegularFile(kept)) {          // a run committed to the repository
            ExperimentResult old = ExperimentResult.read(kept);
            boolean sameData = source == null ? sameSource(old, new DataSource(DataSource.Kind.STAGED, Tasks.dataDir())) : sameSource(old, source);
            if (sameSettings(old, r.json()) && sameSplit(old) && sameData) {
                Progress.report(ProgressEvent.message(label(cfg, r), "reusing the committed " + kept + " (use --force to retrain)"));
                return old;
            }
        }
        if (missing != null) throw missing;
        if (Files.isRegularFile(result) && !o.force()) {
            ExperimentResult old = ExperimentResult.read(result);
            if (sameSettings(old, r.json()) && sameSplit(old) && sameSource(old, source)) {
                Progress.report(ProgressEvent.message(label(cfg, r), "reusing " + result + " (use --force to retrain)"));
                return old;
            }
            Progress.report(ProgressEvent.message(label(cfg, r), "settings or data changed since " + result + "; retraining"));
        }
        return train(cfg, r, result, o, source);
    }

    /**
     * Whether runs at this scale may read a task from the bundled {@link dev.memtune.data.Samples} when the
     * data folder lacks it: smoke only, so cpu and paper runs never train on a sample.
     */
    public static boolean samplesAllowed(String scale) { return "smoke".equals(scale); }

    /** Whether a stored result read its data from the same place ({@code data.source}; results without it were staged). */
    static boolean sameSource(ExperimentResult old, DataSource now) {
        var data = old.json().getAsJsonObject("data");
        String was = data != null && data.has("source") ? data.get("source").getAsString() : DataSource.Kind.STAGED.label();
        return was.equals(now.label());
    }

    /**
     * Whether a stored result was made with these resolved settings ({@link ExperimentConfig.Resolved#json}).
     * The config's {@code description} is free text, not a setting: a result whose config differs from
     * {@code settings} only there was made with the same settings.
     */
    public static boolean sameSettings(ExperimentResult old, JsonObject settings) {
        var stored = old.json().get("config");
        if (stored == null || !stored.isJsonObject()) return false;
        return withoutDescription(stored.getAsJsonObject()).equals(withoutDescription(settings));
    }

    private static JsonObject withoutDescription(JsonObject settings) {
        JsonObject o = settings.deepCopy();
        o.remove("description");
        return o;
    }

    /**
     * Whether a stored result's examples were split as now ({@link Protocol#SPLIT}; LST results without
     * the key predate it; the standard protocol shuffles nothing).
     */
    public static boolean sameSplit(ExperimentResult old) {
        var data = old.json().getAsJsonObject("data");
        if (data == null) return false;
        if (data.has("protocol") && data.get("protocol").getAsString().equals("standard")) return true;
        return data.has("split") && data.get("split").getAsString().equals(Protocol.SPLIT);
    }

    /**
     * The committed results, {@code reproduce/results/runs}: laid out as {@code <out>/results}, checked in
     * as each run of a long grid lands, and reused like a result in the out folder (same resolved settings).
     */
    public static Path committed() { return Project.reproduce("results", "runs"); }

    public static Path resultFile(Path out, ExperimentConfig cfg, String task, int seed) { return resultIn(out.resolve("results"), cfg, task, seed); }

    /** {@code <results>/<table>/<config-id>/<task>/seed<k>.json}. */
    public static Path resultIn(Path results, ExperimentConfig cfg, String task, int seed) {
        return results.resolve(cfg.table).resolve(cfg.id).resolve(task).resolve("seed" + seed + ".json");
    }

    private static String label(ExperimentConfig cfg, ExperimentConfig.Resolved r) {
        return cfg.table + "/" + cfg.id + " " + r.task() + " seed " + r.seed();
    }

    private static ExperimentResult train(ExperimentConfig cfg, ExperimentConfig.Resolved r, Path result, RunOptions o, DataSource source) {
        long t0 = System.nanoTime();
        boolean peakReset = ProcMemory.resetPeak();      // peak RSS of this run, not of the whole kernel session
        TrainConfig tc = r.train();
        Task task = Tasks.get(r.task());
        TaskData data = task.load(source.dir(), Protocol.parse(r.protocol()), Protocol.DEFAULT_SEED);
        Path ckpt = o.out().resolve("checkpoints").resolve(cfg.table).resolve(cfg.id).resolve(r.task()).resolve("seed" + r.seed());
        String label = label(cfg, r);
        if (source.isSample())
            Progress.report(ProgressEvent.message(label, r.task() + " is not in the data folder (" + Tasks.dataDirDescription()
                    + "): smoke scale trains on the bundled sample " + source.dir().resolve(r.task())));
        Progress.report(ProgressEvent.message(label, "loading " + r.backbone() + " + " + r.method() + "; " + data.description()));
        TrainData td;
        try (Tokenizer tok = tokenizer(r.tokenizer())) {
            td = Featurizer.trainData(tok, data, tc.maxSeqLength(), r.textToText());
        }
        Engine.getInstance().setRandomSeed(r.seed());
        Backbone b = backbone(r.backbone(), r.seed(), r.pooling());
        long backboneParams = b.numParams();                                  // before the method adds its own
        Method method = Methods.create(r.method(), r.methodOptions());
        method.prepare(examples(td, Trainer.cut(td.train(), tc.maxTrainSamples())), r.seed());   // the examples this run trains on
        try (TunedModel model = method.attach(b, td.head())) {
            Trainer trainer = new Trainer(tc, model, td).optName(label).optCheckpoint(ckpt, o.resume());
            TrainResult tr = trainer.train();
            JsonObject json = ExperimentResult.toJson(cfg, r, data, td, tr, model, backboneParams, (System.nanoTime() - t0) / 1e9);
            json.getAsJsonObject("data").addProperty("source", source.label());
            json.addProperty("peak_rss_scope", peakReset ? "run" : "process");
            if (model.head() != null) json.addProperty("head_pooling", model.head().pooling);   // what "auto" meant for this backbone
            write(result, json);
            deleteTree(ckpt);
            Progress.report(ProgressEvent.message(label, String.format("done: validation %.4f, test %.4f (epoch %d) in %s -> %s",
                    tr.bestValidationScore(), tr.testScore(), tr.bestEpoch(), ProgressEvent.formatSeconds((System.nanoTime() - t0) / 1e9), result)));
            return new ExperimentResult(result, json);
        }
    }

    /** The examples {@code train} as {@link Method#prepare} reads them: one unpadded example with its labels at a time. */
    static TrainingExamples examples(TrainData td, List<Feature> train) {
        return new TrainingExamples() {
            public int size() { return train.size(); }
            public Example get(NDManager m, int i) {
                Trainer.Labelled one = Trainer.labelled(m, td, train, new int[]{i});
                return new Example(one.batch(), one.labels());
            }
        };
    }

    /**
     * A pretrained preset or HF folder; other presets ({@code tiny-*}) are randomly initialised with
     * the seed. {@code pooling} other than {@code auto} replaces the model's own pooling.
     */
    static Backbone backbone(String name, int seed, String pooling) {
        Map<String, Object> over = pooling.equals("auto") ? Map.of() : Map.of("pooling", pooling);
        try {
            if (ModelSpec.names().contains(name) || Files.isDirectory(Path.of(name))) return Backbones.load(name, over);
            return over.isEmpty() ? Backbones.create(name, seed) : Backbones.create(Backbones.preset(name).with(over), seed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load backbone " + name + ": " + e.getMessage(), e);
        }
    }

    static Tokenizer tokenizer(String backbone) {
        if (!ModelSpec.names().contains(backbone) && !Files.isDirectory(Path.of(backbone)))
            throw new IllegalArgumentException("backbone '" + backbone + "' has no tokenizer: experiments on real data need a pretrained backbone "
                    + ModelSpec.names() + " or a local HF folder, or a config key \"tokenizer\" naming one (a randomly initialised t5-small can read text through bert-base's)");
        try {
            return Backbones.tokenizer(backbone);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of " + backbone + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, JsonObject json) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(json));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            Progress.report(ProgressEvent.message("train", "could not remove checkpoint " + dir + ": " + e.getMessage()));
        }
    }

    static String now() { return Instant.now().toString(); }
}
