package dev.memtune.train;

import ai.djl.engine.Engine;
import dev.memtune.step.LinearSchedule;
import dev.memtune.step.TrainStep;
import dev.memtune.step.AdamW;
import dev.memtune.step.LinearSchedule;
import dev.memtune.step.StepSetup;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.Batch;
import dev.memtune.method.TunedModel;
import dev.memtune.method.Split;
import dev.memtune.method.SplitCache;
import dev.memtune.nn.NoGrad;
import dev.memtune.nn.Param;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressEvent;

import java.nio.file.Path;
import java.util.*;

/**
 * The training loop, in one place and in plain sight:
 * <pre>
 *   for epoch:                                   batches length-grouped, order = f(seed, epoch)
 *     for batch:  reseed dropout with (seed, step); TrainStep: zero grads, loss, backward,
 *                 clip to max_grad_norm, AdamW(lr = linear warmup/decay(step)); NaN/Inf stops
 *     evaluate on validation; if best so far: evaluate test, keep the trainable parameters
 *     early stopping after early_stopping_patience epochs without improvement; checkpoint
 * </pre>
 * Everything random is a function of the seed and the step, so on CPU the same seed gives the same
 * losses, and a run resumed from a checkpoint (trainable parameters, AdamW moments, step, epoch,
 * position in the epoch, history, best state) ends with the same numbers as an uninterrupted one.
 * An interrupt ({@link Progress#checkInterrupted()}) writes a checkpoint, then propagates.
 * A checkpoint written with other train settings (an edited config) is moved aside, not resumed and not deleted.
 * Text-to-text tasks ({@link TrainData#textToText()}) train the LM head on the label names and
 * predict by rank classification ({@link TextToText}). A model may cache per-example work over a
 * split ({@link TunedModel#cache}: LST's {@code backbone_cache} reads its frozen backbone once).
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final TunedModel model;
    private final TrainData data;
    private final List<Feature> train, validation, test;
    private String name;
    private Checkpoint checkpoint;
    private Map<String, float[]> best = new LinkedHashMap<>();
    private final Map<List<Feature>, SplitCache> caches = new IdentityHashMap<>();   // TunedModel.cache, during train()

    public Trainer(TrainConfig cfg, TunedModel model, TrainData data) {
        this.cfg = cfg;
        this.model = model;
        this.data = data;
        this.name = data.name();
        this.train = cut(data.train(), cfg.maxTrainSamples());
        this.validation = cut(data.validation(), cfg.maxEvalSamples());
        this.test = data.test() == data.validation() ? validation : cut(data.test(), cfg.maxEvalSamples());
    }

    /** A training batch and its labels. */
    record Labelled(Batch batch, NDArray labels) {}

    /** The examples {@code which} of {@code split} as a batch with their labels; text-to-text: teacher forcing on the label names. */
    static Labelled labelled(NDManager m, TrainData data, List<Feature> split, int[] which) {
        Batch enc = Batches.collate(m, split, which, data.padId());
        if (!data.textToText()) return new Labelled(enc, Batches.labels(m, split, which, data.head()));
        long[][] rows = new long[which.length][];
        for (int j = 0; j < which.length; j++) rows[j] = data.targets()[(int) split.get(which[j]).label()];
        return new Labelled(TextToText.withTargets(m, enc, rows, data.padId()), TextToText.labels(m, rows));
    }

    /** The first {@code n} examples ({@code max_train_samples}/{@code max_eval_samples}; 0 = all). */
    static List<Feature> cut(List<Feature> l, int n) { return n > 0 && n < l.size() ? l.subList(0, n) : l; }

    /** Checkpoints go to {@code dir} (atomically); with {@code resume}, an existing one is continued. */
    public Trainer optCheckpoint(Path dir, boolean resume) {
        this.checkpoint = dir == null ? null : new Checkpoint(dir, resume);
        return this;
    }

    /** Label of progress events. */
    public Trainer optName(String n) { this.name = n; return this; }

    public TrainResult train() {
        long spe = (train.size() + cfg.perDeviceTrainBatchSize() - 1) / cfg.perDeviceTrainBatchSize();
        long total = cfg.totalSteps(spe);
        int epochs = (int) ((total + spe - 1) / spe);
        LinearSchedule sched = new LinearSchedule(cfg.learningRate(), Math.min(total, cfg.warmup(total)), total);
        StepSetup setup = StepSetup.of(model, cfg.adamBeta1(), cfg.adamBeta2(), cfg.adamEpsilon(), cfg.weightDecay());
        Map<String, Param> trainable = setup.trainable();
        AdamW opt = setup.optimizer();
        String changed = checkpoint == null ? null : checkpoint.changedSettings(cfg);
        if (changed != null)                                   // a run of other settings (an edited config): kept, not resumed
            Progress.report(ProgressEvent.message(name, checkpoint.file() + " was written with other train settings (" + changed
                    + "); moved to " + checkpoint.moveAside() + ", training starts at step 0"));
        TrainState st = checkpoint != null && checkpoint.exists() ? checkpoint.restore(cfg, trainable, opt, best) : new TrainState();
        if (st.globalStep > 0) Progress.report(ProgressEvent.message(name, "resuming from " + checkpoint.file() + " at step " + st.globalStep + " (epoch " + (st.epoch + 1) + ")"));
        long t0 = System.nanoTime(), tokens0 = st.tokens, step0 = st.globalStep;
        double seconds0 = st.seconds;
        try {
            openCaches();
            while (!st.finished) {
                model.train(cfg.dropout());
                long epochStart = System.nanoTime();
                List<int[]> order = Batches.trainOrder(train, cfg.perDeviceTrainBatchSize(), cfg.lengthGroupMegaBatches(), cfg.seed(), st.epoch);
                while (st.stepInEpoch < order.size() && st.globalStep < total) {
                    Progress.checkInterrupted();
                    int[] which = order.get(st.stepInEpoch);
                    float loss = step(opt, which, sched.lr(st.globalStep), st);
                    st.losses.add(loss);
                    st.globalStep++;
                    st.stepInEpoch++;
                    for (int i : which) st.tokens += train.get(i).tokens();
                    st.seconds = seconds0 + (System.nanoTime() - t0) / 1e9;
                    report(st, total, epochs, step0, tokens0, t0);
                    if (checkpoint != null && cfg.saveSteps() > 0 && st.globalStep % cfg.saveSteps() == 0) checkpoint.save(cfg, trainable, opt, st, null);
                }
                boolean improved = endEpoch(st, sched, trainable, epochStart);
                st.epoch++;
                st.stepInEpoch = 0;
                if (st.epoch >= epochs || st.globalStep >= total) st.finished = true;
                if (cfg.earlyStoppingPatience() > 0 && st.badEpochs >= cfg.earlyStoppingPatience()) { st.finished = true; st.stopReason = "early_stopping"; }
                st.seconds = seconds0 + (System.nanoTime() - t0) / 1e9;
                if (checkpoint != null) checkpoint.save(cfg, trainable, opt, st, improved ? best : null);
            }
        } catch (Progress.InterruptedWork e) {
            st.seconds = seconds0 + (System.nanoTime() - t0) / 1e9;
            if (checkpoint != null) {
                checkpoint.save(cfg, trainable, opt, st, null);
                Progress.report(ProgressEvent.message(name, "interrupted at step " + st.globalStep + "; checkpoint written to " + checkpoint.dir()));
            }
            throw e;
        } finally {
            model.train(false);
            closeCaches();
        }
        restoreBest(trainable);
        long trainableCount = trainable.values().stream().mapToLong(Param::numel).sum();
        return new TrainResult(List.copyOf(st.losses), List.copyOf(st.history), st.bestEpoch, st.bestValidation, st.bestScore,
                st.bestTest, st.bestTestScore, st.globalStep, trainableCount, model.numParams(), st.seconds,
                st.seconds > 0 ? st.tokens / st.seconds : Double.NaN, st.stopReason);
    }

    /** One optimizer step on the given examples; dropout masks are seeded by (seed, step). */
    private float step(AdamW opt, int[] which, double lr, TrainState st) {
        Engine.getInstance().setRandomSeed((int) (cfg.seed() * 1_000_003L + st.globalStep));
        float loss;
        try (NDManager m = model.manager().newSubManager()) {
            Labelled in = labelled(m, data, train, which);
            Batch b = in.batch();
            NDArray labels = in.labels();
            SplitCache cache = caches.get(train);
            loss = cache == null ? TrainStep.run(model, opt, b, labels, lr, cfg.maxGradNorm())
                    : TrainStep.run(model, opt, () -> model.head().loss(cache.logits(b, which), labels), lr, cfg.maxGradNorm());
        }
        if (!Float.isFinite(loss))
            throw new IllegalStateException(name + ": training diverged: loss is " + loss + " at step " + (st.globalStep + 1)
                    + " (epoch " + (st.epoch + 1) + ", learning rate " + lr + "); non-finite trainable parameters: " + nonFinite()
                    + "; try a lower learning_rate or max_grad_norm");
        return loss;
    }

    /** Names of trainable parameters holding NaN or Inf (first 5), for the divergence message. */
    private String nonFinite() {
        List<String> bad = new ArrayList<>();
        model.namedParams().forEach((n, p) -> {
            if (!p.trainable() || bad.size() >= 5) return;
            for (float f : p.data().toFloatArray()) if (!Float.isFinite(f)) { bad.add(n); return; }
        });
        return bad.isEmpty() ? "none (the forward pass overflowed)" : bad.toString();
    }

    /** Validation, best-state bookkeeping and the epoch's history entry; true when this epoch is the new best. */
    private boolean endEpoch(TrainState st, LinearSchedule sched, Map<String, Param> trainable, long epochStart) {
        SplitScorer.Evaluation val = evaluate(validation);
        boolean improved = Double.isFinite(val.score()) && (st.bestEpoch < 0 || val.score() > st.bestScore);
        Map<String, Double> testMetrics = null;
        if (improved) {
            SplitScorer.Evaluation t = test == validation ? val : evaluate(test);
            testMetrics = t.metrics();
            st.bestEpoch = st.epoch + 1;
            st.bestScore = val.score();
            st.bestValidation = val.metrics();
            st.bestTest = t.metrics();
            st.bestTestScore = t.score();
            st.badEpochs = 0;
            best = new LinkedHashMap<>();
            trainable.forEach((n, p) -> best.put(n, p.data().toFloatArray()));
        } else st.badEpochs++;
        int from = Math.max(0, st.losses.size() - (int) Math.min(st.losses.size(), st.stepInEpoch));
        double mean = st.losses.subList(from, st.losses.size()).stream().mapToDouble(Float::doubleValue).average().orElse(Double.NaN);
        st.history.add(new EpochResult(st.epoch + 1, st.globalStep, mean, sched.lr(Math.max(0, st.globalStep - 1)), val.metrics(),
                val.score(), improved, testMetrics, (System.nanoTime() - epochStart) / 1e9));
        Progress.report(ProgressEvent.message(name, String.format("epoch %d (%s): validation %.4f%s", st.epoch + 1,
                ProgressEvent.formatSeconds(st.history.get(st.history.size() - 1).seconds()), val.score(),
                improved ? " (best; test " + String.format("%.4f", st.bestTestScore) + ")" : " (best " + String.format("%.4f", st.bestScore) + " at epoch " + st.bestEpoch + ")")));
        return improved;
    }

    /** Puts the best-on-validation parameters back into the model (HF {@code load_best_model_at_end}). */
    private void restoreBest(Map<String, Param> trainable) {
        if (best.isEmpty()) return;
        trainable.forEach((n, p) -> {
            float[] v = best.get(n);
            if (v != null) try (NoGrad ng = NoGrad.enter()) { p.set(p.data().getManager().create(v, p.data().getShape())); }
        });
    }

    /** Scores a split with the task's evaluator (dropout off). */
    public SplitScorer.Evaluation evaluate(List<Feature> split) {
        return data.evaluator().evaluate(predict(split), TrainData.gold(split));
    }

    /**
     * Predictions in split order: the argmax class or choice, or the regression score. Runs without
     * gradients, batch by batch, length-sorted.
     */
    public double[] predict(List<Feature> split) {
        boolean was = model.isTraining();
        model.train(false);
        double[] out = new double[split.size()];
        try {
            for (int[] which : Batches.evalOrder(split, cfg.perDeviceEvalBatchSize())) {
                Progress.checkInterrupted();
                try (NoGrad ng = NoGrad.enter(); NDManager m = model.manager().newSubManager(); NDScope s = new NDScope()) {
                    Batch b = Batches.collate(m, split, which, data.padId());
                    SplitCache cache = caches.get(split);
                    NDArray logits = data.textToText() ? rankScores(m, b, which.length)
                            : cache == null ? model.logits(b) : cache.logits(b, which);
                    float[] p = data.head().kind().equals("regression") ? logits.reshape(-1).toFloatArray()
                            : logits.argMax(-1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                    for (int j = 0; j < which.length; j++) out[which[j]] = p[j];
                }
            }
        } finally {
            model.train(was);
        }
        return out;
    }

    /** Text-to-text: log-likelihood of each class name for every example, [B, C] (rank classification). */
    private NDArray rankScores(NDManager m, Batch enc, int n) {
        long[][] targets = data.targets();
        NDArray[] per = new NDArray[targets.length];
        for (int c = 0; c < targets.length; c++) {
            long[][] rows = new long[n][];
            Arrays.fill(rows, targets[c]);
            NDArray labels = TextToText.labels(m, rows);
            per[c] = TextToText.sequenceLogLikelihood(model.logits(TextToText.withTargets(m, enc, rows, data.padId())), labels);
        }
        return ai.djl.ndarray.NDArrays.stack(new ai.djl.ndarray.NDList(per), 1);
    }

    /** {@link TunedModel#cache}: one cache per split, opened before the first epoch, if the model keeps any. */
    private void openCaches() {
        for (List<Feature> split : List.of(train, validation, test)) {
            if (caches.containsKey(split)) continue;
            SplitCache c = model.cache(view(split));
            if (c == null) return;
            caches.put(split, c);
            Progress.report(ProgressEvent.message(name, String.format("cache for %d examples: %s", split.size(), c.describe())));
        }
    }

    /** A split as {@link TunedModel#cache} sees it. */
    static Split view(List<Feature> split) {
        return new Split() {
            public int size() { return split.size(); }
            public int rows(int i) { return split.get(i).rows(); }
            public int length(int i) { return split.get(i).length(); }
        };
    }

    private void closeCaches() {
        caches.values().forEach(SplitCache::close);
        caches.clear();
    }

    private long lastReport;

    private void report(TrainState st, long total, int epochs, long step0, long tokens0, long t0) {
        long now = System.nanoTime();
        if (now - lastReport < 200_000_000L && st.globalStep < total) return;        // at most 5 events/s
        lastReport = now;
        double secs = (now - t0) / 1e9, done = st.globalStep - step0;
        int k = Math.min(20, st.losses.size());
        double loss = st.losses.subList(st.losses.size() - k, st.losses.size()).stream().mapToDouble(Float::doubleValue).average().orElse(Double.NaN);
        double eta = done > 0 ? secs / done * (total - st.globalStep) : Double.NaN;
        Progress.report(new ProgressEvent(name, st.globalStep, total, loss, (st.tokens - tokens0) / Math.max(secs, 1e-9), eta,
                "epoch " + (st.epoch + 1) + "/" + epochs));
    }
}
