package dev.memtune.train;

import com.google.gson.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

/**
 * Float32 tensors in the safetensors layout (readable by the {@code safetensors} library): an
 * 8-byte little-endian header length, a JSON header {@code {name: {dtype: "F32", shape, data_offsets},
 * "__metadata__": {string: string}}} padded with spaces to 8 bytes, then the raw little-endian data.
 * Writes go to a temporary file in the same folder that is renamed over the target, so a reader
 * (or a resumed run) sees either the old file or the new one, never a torn one.
 */
public final class TensorFile {
    /** One tensor: its shape and row-major values. */
    public record Tensor(long[] shape, float[] data) {}

    private TensorFile() {}

    /** Writes atomically (temp file + rename). */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject md = new JsonObject();
            metadata.forEach(md::addProperty);
            header.add("__metadata__", md);
        }
        long off = 0;
        for (var e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            long n = 1;
            for (long d : e.getValue().shape()) { shape.add(d); n *= d; }
            if (n != e.getValue().data().length) throw new IllegalArgumentException(file + ": tensor " + e.getKey() + " has " + e.getValue().data().length + " values for shape " + Arrays.toString(e.getValue().shape()));
            t.add("shape", shape);
            JsonArray offs = new JsonArray();
            offs.add(off); offs.add(off + 4 * n);
            t.add("data_offsets", offs);
            header.add(e.getKey(), t);
            off += 4 * n;
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(8 + h.length + pad).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(h.length + pad).put(h);
                for (int i = 0; i < pad; i++) head.put((byte) ' ');
                head.flip();
                while (head.hasRemaining()) ch.write(head);
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    for (float f : t.data()) {
                        if (!buf.hasRemaining()) { buf.flip(); while (buf.hasRemaining()) ch.write(buf); buf.clear(); }
                        buf.putFloat(f);
                    }
                }
                buf.flip();
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads every F32 tensor, in file order. */
    public static LinkedHashMap<String, Tensor> read(Path file) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            JsonObject header = header(ch, file);
            long base = 8 + headerLength(ch, file);
            for (var e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) continue;
                JsonObject t = e.getValue().getAsJsonObject();
                String dtype = t.get("dtype").getAsString();
                if (!dtype.equals("F32")) throw new IllegalArgumentException(file + ": tensor " + e.getKey() + " has dtype " + dtype + ", only F32 is supported here");
                JsonArray s = t.getAsJsonArray("shape"), o = t.getAsJsonArray("data_offsets");
                long[] shape = new long[s.size()];
                for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).getAsLong();
                long a = o.get(0).getAsLong(), b = o.get(1).getAsLong();
                ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(b - a)).order(ByteOrder.LITTLE_ENDIAN);
                ch.position(base + a);
                while (buf.hasRemaining()) if (ch.read(buf) < 0) throw new IllegalArgumentException(file + ": truncated in tensor " + e.getKey());
                buf.flip();
                float[] d = new float[(int) ((b - a) / 4)];
                buf.asFloatBuffer().get(d);
                out.put(e.getKey(), new Tensor(shape, d));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The {@code __metadata__} strings (empty when none). */
    public static Map<String, String> metadata(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            JsonObject h = header(ch, file);
            if (h.has("__metadata__")) h.getAsJsonObject("__metadata__").entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static long headerLength(FileChannel ch, Path file) throws IOException {
        ByteBuffer n = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.position(0);
        while (n.hasRemaining()) if (ch.read(n) < 0) throw new IllegalArgumentException(file + ": not a safetensors file (shorter than 8 bytes)");
        long len = n.flip().getLong();
        if (len <= 0 || len > 100_000_000 || 8 + len > ch.size()) throw new IllegalArgumentException(file + ": not a safetensors file (header length " + len + ")");
        return len;
    }

    private static JsonObject header(FileChannel ch, Path file) throws IOException {
        long len = headerLength(ch, file);
        ByteBuffer h = ByteBuffer.allocate((int) len);
        while (h.hasRemaining()) ch.read(h);
        try {
            return JsonParser.parseString(new String(h.array(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(file + ": bad safetensors header: " + e.getMessage());
        }
    }
}
