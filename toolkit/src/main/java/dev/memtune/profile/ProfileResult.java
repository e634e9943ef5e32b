package dev.memtune.profile;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import java.util.List;

/**
 * One profiler measurement, as data (one JSON object per run). Bytes are resident bytes from
 * /proc ({@code *_rss}, {@code peak}) or exact tensor sizes ({@code weights}, {@code grads},
 * {@code optimizer}). {@code activations = peak - static_rss}: the peak during the measured steps
 * minus what was resident just before them (weights, gradients, optimizer state, runtime), MEFT's
 * definition. {@code status} is {@code ok}, {@code oom} (the batch did not fit) or {@code failed}
 * ({@code reason} says why). {@code estimate} is the analytic {@link MemoryModel} for the same run.
 */
public record ProfileResult(Workload workload, int steps, String dtype, String status, String reason,
                            long baselineRss, long modelRss, long staticRss, long peak,
                            long weights, long grads, long optimizer, long activations,
                            long params, long trainable, double stepSeconds, List<Double> stepTimes,
                            double tokensPerSecond, float firstLoss, float lastLoss,
                            long jvmHeapCommitted, long jvmHeapMax, boolean peakReset,
                            MemoryModel.Estimate estimate) {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    public boolean ok() { return status.equals("ok"); }

    /** A run that did not produce a measurement. */
    public static ProfileResult failure(Workload w, int steps, String dtype, String status, String reason) {
        return new ProfileResult(w, steps, dtype, status, reason, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                Double.NaN, List.of(), Double.NaN, Float.NaN, Float.NaN, 0, 0, false, null);
    }

    public ProfileResult withEstimate(MemoryModel.Estimate e) {
        return new ProfileResult(workload, steps, dtype, status, reason, baselineRss, modelRss, staticRss, peak, weights, grads,
                optimizer, activations, params, trainable, stepSeconds, stepTimes, tokensPerSecond, firstLoss, lastLoss,
                jvmHeapCommitted, jvmHeapMax, peakReset, e);
    }

    /** Static part as the tensors count it: weights + gradients + optimizer state. */
    public long staticTensors() { return weights + grads + optimizer; }

    public JsonObject toJson() {
        JsonObject o = workload.toJson();
        o.addProperty("steps", steps);
        o.addProperty("dtype", dtype);
        o.addProperty("status", status);
        if (reason != null) o.addProperty("reason", reason);
        if (ok()) {
            o.addProperty("peak", peak);
            o.addProperty("baseline_rss", baselineRss);
            o.addProperty("model_rss", modelRss);
            o.addProperty("static_rss", staticRss);
            o.addProperty("weights", weights);
            o.addProperty("grads", grads);
            o.addProperty("optimizer", optimizer);
            o.addProperty("activations", activations);
            o.addProperty("params", params);
            o.addProperty("trainable", trainable);
            o.addProperty("step_seconds", stepSeconds);
            o.add("step_times", GSON.toJsonTree(stepTimes));
            o.addProperty("tokens_per_second", tokensPerSecond);
            o.addProperty("first_loss", firstLoss);
            o.addProperty("last_loss", lastLoss);
            o.addProperty("jvm_heap_committed", jvmHeapCommitted);
            o.addProperty("jvm_heap_max", jvmHeapMax);
            o.addProperty("peak_reset", peakReset);
        }
        if (estimate != null) {
            JsonObject e = estimate.toJson();
            if (ok()) {
                e.addProperty("activations_diff", activations - estimate.activations());
                e.addProperty("static_diff", staticTensors() - estimate.staticBytes());
            }
            o.add("estimate", e);
        }
        return o;
    }

    public String json() { return GSON.toJson(toJson()); }

    /** Reads what {@link #toJson} wrote (the estimate is recomputed by the caller, not read). */
    public static ProfileResult fromJson(JsonObject o) {
        Workload w = Workload.fromJson(o);
        String status = o.get("status").getAsString();
        String reason = o.has("reason") ? o.get("reason").getAsString() : null;
        int steps = o.get("steps").getAsInt();
        String dtype = o.get("dtype").getAsString();
        if (!status.equals("ok")) return failure(w, steps, dtype, status, reason);
        List<Double> times = List.of(GSON.fromJson(o.get("step_times"), Double[].class));
        return new ProfileResult(w, steps, dtype, status, reason, l(o, "baseline_rss"), l(o, "model_rss"), l(o, "static_rss"),
                l(o, "peak"), l(o, "weights"), l(o, "grads"), l(o, "optimizer"), l(o, "activations"), l(o, "params"),
                l(o, "trainable"), o.get("step_seconds").getAsDouble(), times, o.get("tokens_per_second").getAsDouble(),
                o.get("first_loss").getAsFloat(), o.get("last_loss").getAsFloat(), l(o, "jvm_heap_committed"),
                l(o, "jvm_heap_max"), o.get("peak_reset").getAsBoolean(), null);
    }

    private static long l(JsonObject o, String k) { return o.get(k).getAsLong(); }
}
