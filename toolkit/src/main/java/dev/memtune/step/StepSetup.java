package dev.memtune.step;

import dev.memtune.nn.Param;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every user of {@link TrainStep} (the trainer, the profiler, the benchmark) sets up before the
 * first step: the model's trainable parameters by name, in the model's order, and AdamW over them.
 */
public record StepSetup(Map<String, Param> trainable, AdamW optimizer) {

    /** AdamW with the given hyper-parameters over the trainable parameters of {@code model}. */
    public static StepSetup of(Trainable model, double beta1, double beta2, double eps, double weightDecay) {
        Map<String, Param> trainable = new LinkedHashMap<>();
        model.namedParams().forEach((n, p) -> { if (p.trainable()) trainable.put(n, p); });
        return new StepSetup(trainable, new AdamW(trainable, beta1, beta2, eps, weightDecay));
    }

    /** The profiler's and the benchmark's optimizer: AdamW(0.9, 0.999, 1e-8), weight decay 0.01 (Hugging Face defaults but decay). */
    public static StepSetup defaults(Trainable model) { return of(model, 0.9, 0.999, 1e-8, 0.01); }
}
