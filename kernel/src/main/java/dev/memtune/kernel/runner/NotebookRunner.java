package dev.memtune.kernel.runner;

import com.google.gson.*;
import dev.memtune.kernel.KernelSpec;
import dev.memtune.kernel.MemtuneKernel;
import dev.memtune.kernel.Session;
import dev.memtune.kernel.display.MimeBundle;
import dev.memtune.kernel.display.Output;
import dev.memtune.kernel.eval.CellException;
import dev.memtune.kernel.eval.Evaluator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * Executes a notebook headlessly, in this JVM, through the same {@link Session} (evaluator, magics,
 * renderers) as the Jupyter kernel, and writes it back as nbformat 4 with outputs and execution
 * counts. Execution stops at the first failing cell; the partial notebook, with that cell's error
 * output, is still written.
 */
public final class NotebookRunner {
    private NotebookRunner() {}

    /**
     * The outcome of one notebook.
     *
     * @param failedCell index (0-based, in the written notebook) of the cell that failed, or -1
     * @param error      {@code ename: evalue} of the failure, or null
     */
    public record Result(Path notebook, Path output, int cellsRun, int failedCell, String error, double seconds) {
        public boolean ok() { return failedCell < 0; }

        public String summary() {
            return ok() ? String.format("%s: %d cells ok in %.1f s -> %s", notebook, cellsRun, seconds, output)
                        : String.format("%s: cell %d failed: %s (partial notebook written to %s)", notebook, failedCell, error, output);
        }
    }

    /**
     * Runs {@code in} and writes the executed notebook to {@code out} (may equal {@code in}).
     *
     * @param params values for the {@code parameters} cell ({@code --param key=value})
     * @throws IOException if the notebook cannot be read or written
     * @throws IllegalArgumentException if it is not nbformat 4 JSON (message names the file) or a parameter is bad
     */
    public static Result run(Path in, Path out, Map<String, String> params) throws IOException {
        long t0 = System.nanoTime();
        MemtuneKernel.quietLogging();
        JsonObject nb = read(in);
        injectParameters(nb, params);
        JsonArray cells = nb.getAsJsonArray("cells");
        Path workdir = in.toAbsolutePath().getParent();
        CellOutputs outputs = new CellOutputs();
        PrintStream origOut = System.out, origErr = System.err;
        int count = 0, failed = -1;
        String error = null;
        try (Session session = Session.create(outputs, workdir)) {
            System.setOut(outputs.stream("stdout"));
            System.setErr(outputs.stream("stderr"));
            for (int i = 0; i < cells.size(); i++) {
                JsonObject cell = cells.get(i).getAsJsonObject();
                if (!"code".equals(cell.get("cell_type").getAsString())) continue;
                if (failed >= 0) {                                     // after a failure: not run, stale outputs cleared
                    cell.add("outputs", new JsonArray());
                    cell.add("execution_count", JsonNull.INSTANCE);
                    continue;
                }
                outputs.begin();
                int n = ++count;
                try {
                    Object v = session.execute(source(cell));
                    outputs.flushStreams();
                    if (v != Evaluator.NO_VALUE) outputs.add(bundleOutput("execute_result", session.render(v), n));
                } catch (CellException e) {
                    outputs.flushStreams();
                    JsonObject err = new JsonObject();
                    err.addProperty("output_type", "error");
                    err.addProperty("ename", e.ename());
                    err.addProperty("evalue", e.evalue());
                    JsonArray tb = new JsonArray();
                    e.traceback().forEach(tb::add);
                    err.add("traceback", tb);
                    outputs.add(err);
                    failed = i;
                    error = e.ename() + ": " + e.evalue();
                } catch (RuntimeException e) {                        // a renderer failed on the cell's value
                    outputs.flushStreams();
                    JsonObject err = new JsonObject();
                    err.addProperty("output_type", "error");
                    err.addProperty("ename", e.getClass().getName());
                    err.addProperty("evalue", "could not display the cell's value: " + e.getMessage());
                    JsonArray tb = new JsonArray();
                    tb.add(e.toString());
                    err.add("traceback", tb);
                    outputs.add(err);
                    failed = i;
                    error = e.getClass().getSimpleName() + ": could not display the cell's value: " + e.getMessage();
                }
                cell.add("outputs", outputs.end());
                cell.addProperty("execution_count", n);
            }
        } finally {
            System.setOut(origOut);
            System.setErr(origErr);
        }
        setKernelMetadata(nb);
        write(nb, out);
        return new Result(in, out, count, failed, error, (System.nanoTime() - t0) / 1e9);
    }

    static JsonObject read(Path in) throws IOException {
        JsonObject nb;
        try {
            nb = JsonParser.parseString(Files.readString(in)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(in + ": not a JSON notebook: " + e.getMessage());
        }
        if (!nb.has("nbformat") || nb.get("nbformat").getAsInt() != 4 || !nb.has("cells"))
            throw new IllegalArgumentException(in + ": not an nbformat 4 notebook (need \"nbformat\": 4 and \"cells\")");
        return nb;
    }

    static String source(JsonObject cell) {
        JsonElement s = cell.get("source");
        if (s == null || s.isJsonNull()) return "";
        if (s.isJsonArray()) {
            StringBuilder sb = new StringBuilder();
            s.getAsJsonArray().forEach(e -> sb.append(e.getAsString()));
            return sb.toString();
        }
        return s.getAsString();
    }

    static boolean hasTag(JsonObject cell, String tag) {
        JsonObject md = cell.getAsJsonObject("metadata");
        if (md == null || !md.has("tags")) return false;
        for (JsonElement t : md.getAsJsonArray("tags")) if (tag.equals(t.getAsString())) return true;
        return false;
    }

    /** Replaces any earlier injected cell; puts the new one after the {@code parameters} cell (or first). */
    static void injectParameters(JsonObject nb, Map<String, String> params) {
        JsonArray cells = nb.getAsJsonArray("cells");
        for (int i = cells.size() - 1; i >= 0; i--) if (hasTag(cells.get(i).getAsJsonObject(), "injected-parameters")) cells.remove(i);
        if (params.isEmpty()) return;
        int at = 0;
        String paramCell = "";
        for (int i = 0; i < cells.size(); i++) {
            JsonObject c = cells.get(i).getAsJsonObject();
            if (hasTag(c, "parameters")) { at = i + 1; paramCell = source(c); break; }
        }
        if (at == 0) System.err.println("memtune run: no cell tagged 'parameters'; injecting parameters at the top");
        JsonObject cell = new JsonObject();
        cell.addProperty("cell_type", "code");
        cell.add("execution_count", JsonNull.INSTANCE);
        JsonObject md = new JsonObject();
        JsonArray tags = new JsonArray();
        tags.add("injected-parameters");
        md.add("tags", tags);
        cell.add("metadata", md);
        cell.add("outputs", new JsonArray());
        cell.addProperty("source", Parameters.declarations(params, paramCell));
        if (nb.get("nbformat_minor").getAsInt() >= 5) cell.addProperty("id", UUID.randomUUID().toString().substring(0, 8));
        JsonArray rebuilt = new JsonArray();
        for (int i = 0; i < cells.size(); i++) {
            if (i == at) rebuilt.add(cell);
            rebuilt.add(cells.get(i));
        }
        if (at == cells.size()) rebuilt.add(cell);
        nb.add("cells", rebuilt);
    }

    private static void setKernelMetadata(JsonObject nb) {
        JsonObject md = nb.has("metadata") ? nb.getAsJsonObject("metadata") : new JsonObject();
        JsonObject ks = new JsonObject();
        ks.addProperty("name", KernelSpec.DEFAULT_NAME);
        ks.addProperty("display_name", KernelSpec.DISPLAY_NAME);
        ks.addProperty("language", "java");
        md.add("kernelspec", ks);
        JsonObject li = new JsonObject();
        li.addProperty("name", "java");
        li.addProperty("version", Runtime.version().toString());
        li.addProperty("mimetype", "text/x-java-source");
        li.addProperty("file_extension", ".jshell");
        md.add("language_info", li);
        nb.add("metadata", md);
    }

    static void write(JsonObject nb, Path out) throws IOException {
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        Gson gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();
        Files.writeString(out, gson.toJson(nb) + "\n");
    }

    static JsonObject bundleOutput(String type, MimeBundle b, int count) {
        JsonObject o = new JsonObject();
        o.addProperty("output_type", type);
        JsonObject data = new JsonObject();
        b.data().forEach(data::addProperty);
        o.add("data", data);
        o.add("metadata", new JsonObject());
        if (type.equals("execute_result")) o.addProperty("execution_count", count);
        return o;
    }

    /** Collects one cell's outputs in nbformat form; display updates replace the displayed output. */
    private static final class CellOutputs implements Output {
        private JsonArray current = new JsonArray();
        private final Map<String, JsonObject> byDisplayId = new HashMap<>();
        private final Map<String, ByteArrayOutputStream> streams = new LinkedHashMap<>();

        void begin() { current = new JsonArray(); byDisplayId.clear(); }

        JsonArray end() { flushStreams(); return current; }

        synchronized void add(JsonObject o) { current.add(o); }

        PrintStream stream(String name) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            streams.put(name, buf);
            return new PrintStream(new OutputStream() {
                @Override public void write(int b) { synchronized (CellOutputs.this) { buf.write(b); } }
                @Override public void write(byte[] b, int off, int len) { synchronized (CellOutputs.this) { buf.write(b, off, len); } }
            }, true, StandardCharsets.UTF_8);
        }

        /** Appends buffered stdout/stderr as stream outputs, merging with a preceding output of the same stream. */
        synchronized void flushStreams() {
            for (var e : streams.entrySet()) {
                if (e.getValue().size() == 0) continue;
                String text = e.getValue().toString(StandardCharsets.UTF_8);
                e.getValue().reset();
                JsonObject last = current.size() > 0 ? current.get(current.size() - 1).getAsJsonObject() : null;
                if (last != null && "stream".equals(last.get("output_type").getAsString()) && e.getKey().equals(last.get("name").getAsString())) {
                    last.addProperty("text", last.get("text").getAsString() + text);
                } else {
                    JsonObject o = new JsonObject();
                    o.addProperty("output_type", "stream");
                    o.addProperty("name", e.getKey());
                    o.addProperty("text", text);
                    current.add(o);
                }
            }
        }

        @Override public synchronized void display(MimeBundle bundle, String displayId) {
            flushStreams();
            JsonObject o = bundleOutput("display_data", bundle, 0);
            current.add(o);
            if (displayId != null) byDisplayId.put(displayId, o);
        }

        @Override public synchronized void clear() {
            flushStreams();
            current = new JsonArray();
            byDisplayId.clear();
        }

        @Override public synchronized void update(MimeBundle bundle, String displayId) {
            JsonObject o = byDisplayId.get(displayId);
            if (o == null) return;
            JsonObject data = new JsonObject();
            bundle.data().forEach(data::addProperty);
            o.add("data", data);
        }
    }
}
