package dev.memtune.train;

import com.google.gson.*;
import dev.memtune.data.TaskData;
import dev.memtune.method.TunedModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The result JSON of one run, as stored on disk. Fields (fractions for metrics):
 * <pre>
 * table, config_id, config_file, task, seed, scale, backbone, method,
 * config                 the resolved settings (what a rerun is compared with)
 * train                  TrainConfig by HF name
 * data                   protocol description, split sizes, and source: "staged" (the data folder) or
 *                        "bundled sample" (dev.memtune.data.Samples, smoke scale only)
 * epochs                 [{epoch, step, train_loss, learning_rate, validation{..}, validation_score, best, test{..}|null}]
 * best_epoch, best_validation{..}, best_validation_score, test{..}, test_score
 * losses                 loss of every optimizer step
 * trainable_params, method_params, total_params, backbone_params, trainable_share
 * steps, stop_reason, wall_seconds, train_seconds, tokens_per_second,
 * peak_rss_bytes, peak_rss_scope   resident high-water mark, since the run began ("run") or since the process began ("process")
 * machine{..}, dropout_masks (how dropout masks were drawn: memtune or torch; absent before 2026-12-05 = torch),
 * first_token_last_layer (the setting that lets BERT's last layer run for the pooled first token only; it changes
 *                        BERT under a first-token head where the method runs the plain encoder, nothing else; absent in
 *                        results made before 2026-12-05 11:00 = every position), finished_at
 * </pre>
 */
public record ExperimentResult(Path file, JsonObject json) {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().serializeNulls()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    public static ExperimentResult read(Path file) {
        try {
            return new ExperimentResult(file, JsonParser.parseString(Files.readString(file)).getAsJsonObject());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read result " + file + ": " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(file + ": not a result JSON: " + e.getMessage());
        }
    }

    public String table() { return json.get("table").getAsString(); }
    public String configId() { return json.get("config_id").getAsString(); }
    public String task() { return json.get("task").getAsString(); }
    public int seed() { return json.get("seed").getAsInt(); }
    public String method() { return json.get("method").getAsString(); }
    public String backbone() { return json.get("backbone").getAsString(); }
    public double testScore() { return num("test_score"); }
    public double bestValidationScore() { return num("best_validation_score"); }
    public long trainableParams() { return json.get("trainable_params").getAsLong(); }
    public double wallSeconds() { return num("wall_seconds"); }
    public long peakRssBytes() { return json.get("peak_rss_bytes").getAsLong(); }

    /** {@code data.source}: {@code staged} or {@code bundled sample} (results older than the field were staged). */
    public String dataSource() {
        JsonObject d = json.getAsJsonObject("data");
        return d != null && d.has("source") ? d.get("source").getAsString() : dev.memtune.data.DataSource.Kind.STAGED.label();
    }

    /** A test metric by key ({@code accuracy}, {@code f1}, ...), NaN when absent. */
    public double test(String metric) {
        JsonObject t = json.getAsJsonObject("test");
        return t != null && t.has(metric) && !t.get(metric).isJsonNull() ? t.get(metric).getAsDouble() : Double.NaN;
    }

    private double num(String k) {
        JsonElement e = json.get(k);
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    static JsonObject toJson(ExperimentConfig cfg, ExperimentConfig.Resolved r, TaskData data, TrainData td, TrainResult tr,
                             TunedModel model, long backboneParams, double wallSeconds) {
        JsonObject o = new JsonObject();
        o.addProperty("table", cfg.table);
        o.addProperty("config_id", cfg.id);
        o.addProperty("config_file", cfg.file.toString());
        o.addProperty("task", r.task());
        o.addProperty("seed", r.seed());
        o.addProperty("scale", r.scale());
        o.addProperty("backbone", r.backbone());
        o.addProperty("method", r.method());
        o.add("config", r.json());
        o.add("train", GSON.toJsonTree(r.train().toMap()));
        JsonObject d = new JsonObject();
        d.addProperty("protocol", data.protocol().name().toLowerCase());
        d.addProperty("description", data.description());
        d.addProperty("split", dev.memtune.data.Protocol.SPLIT);
        TrainConfig tc = r.train();
        d.addProperty("train", cut(td.train().size(), tc.maxTrainSamples()));
        d.addProperty("validation", cut(td.validation().size(), tc.maxEvalSamples()));
        d.addProperty("test", cut(td.test().size(), tc.maxEvalSamples()));
        o.add("data", d);
        o.add("epochs", GSON.toJsonTree(tr.history()));
        o.addProperty("best_epoch", tr.bestEpoch());
        o.add("best_validation", GSON.toJsonTree(tr.bestValidation()));
        o.add("best_validation_score", num(tr.bestValidationScore()));
        o.add("test", GSON.toJsonTree(tr.test()));
        o.add("test_score", num(tr.testScore()));
        o.add("losses", GSON.toJsonTree(tr.losses()));
        long method = model.methodParams().values().stream().mapToLong(dev.memtune.nn.Param::numel).sum();
        o.addProperty("trainable_params", tr.trainableParams());
        o.addProperty("method_params", method);
        o.addProperty("total_params", tr.totalParams());
        o.addProperty("backbone_params", backboneParams);
        o.addProperty("trainable_share", (double) method / backboneParams);
        o.addProperty("steps", tr.steps());
        o.addProperty("stop_reason", tr.stopReason());
        o.addProperty("wall_seconds", wallSeconds);
        o.addProperty("train_seconds", tr.trainSeconds());
        o.add("tokens_per_second", num(tr.tokensPerSecond()));
        o.addProperty("peak_rss_bytes", Machine.peakRssBytes());
        o.add("machine", GSON.toJsonTree(Machine.info()));
        o.addProperty("dropout_masks", dev.memtune.nn.KeepMask.source());   // absent in results made before 2026-12-05: torch
        o.addProperty("first_token_last_layer", model.firstTokenLastLayer());
        o.addProperty("finished_at", Experiments.now());
        return o;
    }

    private static int cut(int n, int max) { return max > 0 ? Math.min(n, max) : n; }

    private static JsonElement num(double v) { return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE; }

    /** Metrics map of a JSON object member (for notebooks). */
    public Map<String, Double> metrics(String member) {
        return GSON.fromJson(json.get(member), new com.google.gson.reflect.TypeToken<Map<String, Double>>() {}.getType());
    }
}
