package dev.memtune.scoring;

import dev.memtune.metrics.Metric;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A task's metrics on one split: every metric of the task by {@link Metric#key()} (fractions, in
 * the task's metric order) and the main one ({@link #score()}).
 */
public record TaskScore(String task, int examples, Metric main, Map<Metric, Double> values) {
    public TaskScore {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The task score of the papers (NaN possible for STS-B with constant predictions). */
    public double score() { return values.get(main); }

    public double get(Metric m) {
        Double v = values.get(m);
        if (v == null) throw new IllegalArgumentException("task " + task + " does not report " + m.key() + " (it reports " + values.keySet() + ")");
        return v;
    }

    /** {@code {"task", "examples", "main", "score", "metrics": {key: value}}}; NaN is written as null. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject(), m = new JsonObject();
        o.addProperty("task", task);
        o.addProperty("examples", examples);
        o.addProperty("main", main.key());
        o.addProperty("score", finite(score()));
        values.forEach((k, v) -> m.addProperty(k.key(), finite(v)));
        o.add("metrics", m);
        return o;
    }

    @Override
    public String toString() { return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(toJson()); }

    private static Double finite(double v) { return Double.isFinite(v) ? v : null; }
}
