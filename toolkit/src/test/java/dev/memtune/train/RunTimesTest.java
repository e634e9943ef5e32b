package dev.memtune.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Estimates from hand-written finished runs, every expected figure worked out by hand in the comments. */
class RunTimesTest {
    static ExperimentResult run(String configId, String method, String task, int examples, int epochs, double wall) {
        String epochList = "{},".repeat(epochs - 1) + "{}";
        return new ExperimentResult(Path.of("x.json"), JsonParser.parseString("""
                {"config_id": "%s", "method": "%s", "task": "%s", "backbone": "bert-base", "scale": "cpu", "seed": 42,
                 "config": {"train": {"max_train_samples": 0}}, "data": {"train": %d}, "epochs": [%s], "wall_seconds": %s}"""
                .formatted(configId, method, task, examples, epochList, wall)).getAsJsonObject());
    }

    static JsonObject settings(String method, String task, double epochs, int maxTrainSamples, String backbone) {
        return JsonParser.parseString("""
                {"backbone": "%s", "scale": "cpu", "method": "%s", "task": "%s",
                 "train": {"num_train_epochs": %s, "max_train_samples": %d}}""".formatted(backbone, method, task, epochs, maxTrainSamples)).getAsJsonObject();
    }

    final RunTimes times = RunTimes.of(List.of(
            run("bert-base/full", "full", "rte", 100, 3, 600),        // 600 / (100 x 3) = 2.0 s per example-epoch
            run("bert-base/full", "full", "mrpc", 200, 3, 600),       // 600 / (200 x 3) = 1.0
            run("bert-base/lora", "lora", "mrpc", 200, 5, 500),       // 500 / (200 x 5) = 0.5
            run("bert-base/lora-big", "lora", "mrpc", 200, 5, 1500))); // 1.5: another config of the same method

    @Test
    void theSameConfigOnTheSameTask() {
        assertEquals(0.5 * 200 * 10, times.estimate("bert-base/lora", settings("lora", "mrpc", 10, 0, "bert-base")).getAsDouble(), 1e-9);
        assertEquals(0.5 * 50 * 10, times.estimate("bert-base/lora", settings("lora", "mrpc", 10, 50, "bert-base")).getAsDouble(), 1e-9);   // max_train_samples
        assertEquals(0.5 * 200 * 10, times.estimate("bert-base/lora", settings("lora", "mrpc", 10, 5000, "bert-base")).getAsDouble(), 1e-9); // a cap above the size
    }

    @Test
    void theSameMethodUnderAnotherConfigOnTheSameTask() {
        // the mean of lora's two configs on mrpc: (0.5 + 1.5) / 2 = 1.0
        assertEquals(1.0 * 200 * 5, times.estimate("bert-base/lora-lr1e-3", settings("lora", "mrpc", 5, 0, "bert-base")).getAsDouble(), 1e-9);
    }

    @Test
    void anotherTaskScaledByFullFineTuningsRatio() {
        // lora on rte has no run: lora's mrpc rate 0.5 x full's rte/mrpc ratio 2.0 / 1.0 = 1.0 per example-epoch
        assertEquals(1.0 * 100 * 10, times.estimate("bert-base/lora", settings("lora", "rte", 10, 0, "bert-base")).getAsDouble(), 1e-9);
    }

    @Test
    void noEstimateWithoutARateOrATrainingSetSize() {
        assertTrue(times.estimate("bert-base/lora", settings("lora", "cola", 3, 0, "bert-base")).isEmpty(), "cola's size is unknown");
        assertTrue(times.estimate("bert-base/bitfit", settings("bitfit", "rte", 3, 0, "bert-base")).isEmpty(), "no bitfit run anywhere");
        assertTrue(times.estimate("bert-base/lora", settings("lora", "mrpc", 3, 0, "minilm-l6")).isEmpty(), "other backbone");
    }

    @Test
    void settingsAConfigLeavesOutAreTheDefaultsAndMaxStepsOverridesTheEpochs() {
        // lora's mrpc rate 0.5; no max_train_samples and no num_train_epochs: all 200 examples x TrainConfig's default 3 epochs
        JsonObject bare = JsonParser.parseString("""
                {"backbone": "bert-base", "scale": "cpu", "method": "lora", "task": "mrpc", "train": {"learning_rate": 1e-3}}""").getAsJsonObject();
        assertEquals(0.5 * 200 * 3, times.estimate("bert-base/lora", bare).getAsDouble(), 1e-9);
        // max_steps 10 at batch 16: 160 examples seen, whatever the epochs
        JsonObject steps = JsonParser.parseString("""
                {"backbone": "bert-base", "scale": "cpu", "method": "lora", "task": "mrpc",
                 "train": {"num_train_epochs": 20, "max_steps": 10, "per_device_train_batch_size": 16}}""").getAsJsonObject();
        assertEquals(0.5 * 160, times.estimate("bert-base/lora", steps).getAsDouble(), 1e-9);
    }

    @Test
    void stepsAreTheOnesTheTrainerMadeInEveryCommittedRun() {
        List<ExperimentResult> all = Results.load(Experiments.committed());
        RunTimes t = RunTimes.of(all);
        int checked = 0;
        for (ExperimentResult r : all) {
            JsonObject j = r.json();
            if (!j.has("steps") || !j.has("config") || j.has("copied_from")) continue;
            var steps = t.steps(r.configId(), j.getAsJsonObject("config"));
            if (steps.isEmpty()) continue;                                  // a task whose whole training set no run here used
            assertEquals(j.get("steps").getAsLong(), steps.getAsLong(), r.file() + ": the Trainer's own count");
            checked++;
        }
        assertTrue(checked >= 60, "runs checked: " + checked);                 // 70 on 2026-12-07: bert-base GLUE and QA, the probes
    }

    @Test
    void trainableParamsOfTheSameConfigElseTheSameMethodOnTheSameBackbone() {
        RunTimes t = RunTimes.of(List.of(
                withParams(run("bert-base/lora", "lora", "mrpc", 200, 5, 500), 300_000),
                withParams(run("bert-base/lora-r16", "lora", "rte", 100, 5, 500), 600_000),
                withParams(run("bert-base/full", "full", "rte", 100, 3, 600), 110_000_000)));
        // the same config on another task: rte has no bert-base/lora run, mrpc's counts
        assertEquals(300_000, t.trainableParams("bert-base/lora", settings("lora", "rte", 3, 0, "bert-base")).getAsLong());
        // a config with no run: the most of its method's runs (300,000 and 600,000)
        assertEquals(600_000, t.trainableParams("bert-base/lora-lr1e-3", settings("lora", "rte", 3, 0, "bert-base")).getAsLong());
        assertTrue(t.trainableParams("bert-base/bitfit", settings("bitfit", "rte", 3, 0, "bert-base")).isEmpty(), "no bitfit run");
        assertTrue(t.trainableParams("minilm-l6/lora", settings("lora", "rte", 3, 0, "minilm-l6")).isEmpty(), "other backbone");
        JsonObject smoke = settings("lora", "rte", 3, 0, "bert-base");
        smoke.addProperty("scale", "smoke");
        assertEquals(300_000, t.trainableParams("bert-base/lora", smoke).getAsLong(), "the model is the same at every scale");
    }

    private static ExperimentResult withParams(ExperimentResult r, long params) {
        r.json().addProperty("trainable_params", params);
        return r;
    }

    @Test
    void aResumedRunCountsTheTrainingOfEverySittingNotJustItsLast() {
        // resumed: wall_seconds 60 is the last sitting, train_seconds 900 all sittings: 900 / (100 x 3) = 3.0
        ExperimentResult resumed = run("bert-base/meft2", "meft2", "rte", 100, 3, 60);
        resumed.json().addProperty("train_seconds", 900);
        // one sitting with a start-up outside the training (LST's cache): wall 600 > train 450, so 600 / (100 x 3) = 2.0
        ExperimentResult oneSitting = run("bert-base/lst", "lst", "rte", 100, 3, 600);
        oneSitting.json().addProperty("train_seconds", 450);
        RunTimes t = RunTimes.of(List.of(resumed, oneSitting));
        assertEquals(3.0 * 100 * 10, t.estimate("bert-base/meft2", settings("meft2", "rte", 10, 0, "bert-base")).getAsDouble(), 1e-9);
        assertEquals(2.0 * 100 * 10, t.estimate("bert-base/lst", settings("lst", "rte", 10, 0, "bert-base")).getAsDouble(), 1e-9);
    }

    @Test
    void aResultWithoutTheFieldsOfAFinishedRunIsSkipped() {
        ExperimentResult partial = new ExperimentResult(Path.of("y.json"), JsonParser.parseString("""
                {"config_id": "bert-base/bitfit", "method": "bitfit", "task": "rte", "backbone": "bert-base", "scale": "cpu", "wall_seconds": 60}""").getAsJsonObject());
        RunTimes t = RunTimes.of(List.of(partial, run("bert-base/full", "full", "rte", 100, 3, 600)));
        assertTrue(t.estimate("bert-base/bitfit", settings("bitfit", "rte", 3, 0, "bert-base")).isEmpty());
        assertEquals(2.0 * 100 * 3, t.estimate("bert-base/full", settings("full", "rte", 3, 0, "bert-base")).getAsDouble(), 1e-9);
    }
}
