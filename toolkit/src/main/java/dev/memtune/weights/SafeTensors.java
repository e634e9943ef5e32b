package dev.memtune.weights;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reader and writer for the Hugging Face <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format: an 8-byte little-endian header length {@code N}, {@code N} bytes of JSON
 * ({@code {"__metadata__": {..}, "<name>": {"dtype", "shape", "data_offsets": [begin, end]}}}, padded with spaces
 * to a multiple of 8), then the little-endian tensor bytes, offsets relative to the end of the header.
 *
 * <p>Reading decodes F32, F16, BF16 and F64 to fp32; integer and bool tensors are rejected with an error
 * naming the tensor. The header is validated as strictly as the reference implementation (offsets in
 * range, sized to dtype x shape, contiguous, covering the data section), so a truncated or corrupt file
 * fails with a message naming the file and the tensor instead of yielding garbage.
 */
public final class SafeTensors {
    /** Same limit as the reference implementation: headers above 100 MB are treated as corrupt. */
    static final long MAX_HEADER = 100_000_000L;
    private static final Gson GSON = new Gson();

    private SafeTensors() {}

    /** Reads all tensors in header order, decoded to fp32. */
    public static LinkedHashMap<String, HostTensor> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch);
            LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
            for (Entry e : h.entries) out.put(e.name, decode(file, ch, h.dataStart, e));
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read safetensors file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** The {@code __metadata__} string map of the header (empty if absent). */
    public static Map<String, String> metadata(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(file, ch).metadata;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read safetensors file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Writes fp32 tensors ({@code F32}); see {@link #write(Path, Map, Map, String)}. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, "F32");
    }

    /**
     * Writes tensors in the map's iteration order with {@code __metadata__} first, atomically: the bytes
     * go to a temporary file in the same folder which is then renamed over {@code file}.
     *
     * @param dtype storage type for every tensor: {@code F32}, {@code F16} or {@code BF16} (round to nearest even)
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata, String dtype) {
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new IllegalArgumentException("dtype must be F32, F16 or BF16, got " + dtype);
        };
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("a tensor cannot be named __metadata__");
            JsonObject t = new JsonObject();
            t.addProperty("dtype", dtype);
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) shape.add(d);
            t.add("shape", shape);
            long bytes = e.getValue().numel() * width;
            JsonArray offs = new JsonArray();
            offs.add(offset);
            offs.add(offset + bytes);
            t.add("data_offsets", offs);
            header.add(e.getKey(), t);
            offset += bytes;
        }
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();

        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                boolean f16 = dtype.equals("F16");
                for (HostTensor t : tensors.values()) {
                    float[] d = t.data();
                    for (int i = 0; i < d.length; ) {
                        if (buf.remaining() < 4) { buf.flip(); writeFully(ch, buf); buf.clear(); }
                        int n = Math.min(d.length - i, buf.remaining() / width);
                        if (width == 4) {
                            buf.asFloatBuffer().put(d, i, n);                    // bulk little-endian copy
                            buf.position(buf.position() + 4 * n);
                        } else {
                            for (int j = i; j < i + n; j++) buf.putShort(f16 ? Halfs.floatToFp16(d[j]) : Halfs.floatToBf16(d[j]));
                        }
                        i += n;
                    }
                }
                buf.flip();
                writeFully(ch, buf);
                ch.force(true);
            }
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) { /* not a POSIX file system */ }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException ex) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write safetensors file " + file + ": " + ex.getMessage(), ex);
        } finally {
            if (tmp != null) {
                try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
            }
        }
    }

    // ---- reading ----

    private record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    private static Header header(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw corrupt(file, "file is " + size + " bytes, too short for the 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.flip().getLong();
        if (n < 2 || n > MAX_HEADER) throw corrupt(file, "header length " + Long.toUnsignedString(n) + " is implausible (file truncated or not safetensors)");
        if (8 + n > size) throw corrupt(file, "header length " + n + " exceeds file size " + size + " (truncated file?)");
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8);
        String text = new String(hb.array(), StandardCharsets.UTF_8);
        if (!text.startsWith("{")) throw corrupt(file, "header does not start with '{'");
        JsonObject json;
        try {
            json = JsonParser.parseString(text.stripTrailing()).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException ex) {
            throw corrupt(file, "header is not a JSON object: " + ex.getMessage());
        }
        long dataStart = 8 + n;
        long dataSize = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonElement> kv : json.entrySet()) {
            String name = kv.getKey();
            try {
                JsonObject o = kv.getValue().getAsJsonObject();
                if (name.equals("__metadata__")) {
                    for (Map.Entry<String, JsonElement> m : o.entrySet()) metadata.put(m.getKey(), m.getValue().getAsString());
                    continue;
                }
                String dtype = o.get("dtype").getAsString();
                JsonArray s = o.getAsJsonArray("shape");
                long[] shape = new long[s.size()];
                for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).getAsLong();
                JsonArray offs = o.getAsJsonArray("data_offsets");
                if (offs.size() != 2) throw new IllegalStateException("data_offsets must have 2 entries");
                entries.add(new Entry(name, dtype, shape, offs.get(0).getAsLong(), offs.get(1).getAsLong()));
            } catch (RuntimeException ex) {
                throw corrupt(file, "tensor '" + name + "': malformed header entry " + kv.getValue() + " (" + ex.getMessage() + ")");
            }
        }
        // the reference implementation's checks: sizes match dtype x shape, offsets contiguous and covering the data
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expect = 0;
        for (Entry e : byOffset) {
            long numel;
            try {
                numel = HostTensor.numel(e.shape);
            } catch (RuntimeException ex) {
                throw corrupt(file, "tensor '" + e.name + "': invalid shape (" + ex.getMessage() + ")");
            }
            int width = width(e.dtype);
            if (width < 0) throw corrupt(file, "tensor '" + e.name + "': unknown dtype " + e.dtype);
            if (e.begin != expect) {
                throw corrupt(file, "tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end + "] do not start at " + expect
                    + " where the previous tensor ends (overlapping or gapped data)");
            }
            if (e.end - e.begin != numel * width) {
                throw corrupt(file, "tensor '" + e.name + "': data_offsets span " + (e.end - e.begin) + " bytes but " + e.dtype
                    + " x " + java.util.Arrays.toString(e.shape) + " needs " + numel * width);
            }
            if (e.end > dataSize) {
                throw corrupt(file, "tensor '" + e.name + "': data ends at byte " + e.end + " but the data section has only " + dataSize
                    + " bytes (truncated file?)");
            }
            expect = e.end;
        }
        if (expect != dataSize) throw corrupt(file, "data section has " + dataSize + " bytes but the tensors cover " + expect);
        return new Header(entries, metadata, dataStart);
    }

    private static HostTensor decode(Path file, FileChannel ch, long dataStart, Entry e) throws IOException {
        int numel = Math.toIntExact(HostTensor.numel(e.shape));
        float[] out = new float[numel];
        long bytes = e.end - e.begin;
        if (bytes == 0) return new HostTensor(e.shape, out);
        ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin, bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (e.dtype) {
            case "F32" -> b.asFloatBuffer().get(out);
            case "F16" -> { for (int i = 0; i < numel; i++) out[i] = Halfs.fp16ToFloat(b.getShort(2 * i)); }
            case "BF16" -> { for (int i = 0; i < numel; i++) out[i] = Halfs.bf16ToFloat(b.getShort(2 * i)); }
            case "F64" -> { for (int i = 0; i < numel; i++) out[i] = (float) b.getDouble(8 * i); }
            default -> throw new IllegalArgumentException("safetensors file " + file + ": tensor '" + e.name + "' has dtype " + e.dtype
                + "; only F32, F16, BF16 and F64 can be read as fp32 weights");
        }
        return new HostTensor(e.shape, out);
    }

    private static int width(String dtype) {
        return switch (dtype.toUpperCase(Locale.ROOT)) {
            case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3" -> 1;
            case "I16", "U16", "F16", "BF16" -> 2;
            case "I32", "U32", "F32" -> 4;
            case "I64", "U64", "F64" -> 8;
            default -> -1;
        };
    }

    private static IllegalArgumentException corrupt(Path file, String why) {
        return new IllegalArgumentException("corrupt safetensors file " + file + ": " + why);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new IOException("unexpected end of file");
            pos += r;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
