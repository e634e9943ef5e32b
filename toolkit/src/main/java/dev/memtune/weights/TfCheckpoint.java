package dev.memtune.weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Reader for TensorFlow checkpoints in the TensorBundle format (TF 1.x/2.x {@code tf.train.Saver}, SavedModel
 * {@code variables/}): {@code <prefix>.index} is a LevelDB table ({@link SsTable}) mapping each variable name to a
 * {@code BundleEntryProto} {@code {dtype = 1, shape = 2, shard_id = 3, offset = 4, size = 5, crc32c = 6 (fixed32,
 * masked)}}; the key {@code ""} holds the {@code BundleHeaderProto} {@code {num_shards = 1}}. Tensor bytes live in
 * {@code <prefix>.data-0000N-of-0000M}. Every tensor's crc32c is checked against the index entry.
 *
 * <p>{@link #bertToHf} renames Google BERT variables to Hugging Face {@code BertModel} keys.
 */
public final class TfCheckpoint {
    /** One variable as described by the index. */
    public record Variable(String name, int dtype, long[] shape, int shard, long offset, long size, int crc32c) {
        /** TensorFlow dtype name for the common types, else {@code DT_<number>}. */
        public String dtypeName() {
            return switch (dtype) {
                case 1 -> "DT_FLOAT"; case 2 -> "DT_DOUBLE"; case 3 -> "DT_INT32"; case 7 -> "DT_STRING";
                case 9 -> "DT_INT64"; case 10 -> "DT_BOOL"; case 14 -> "DT_BFLOAT16"; case 19 -> "DT_HALF";
                default -> "DT_" + dtype;
            };
        }
    }

    private static final int DT_FLOAT = 1, DT_DOUBLE = 2, DT_BFLOAT16 = 14, DT_HALF = 19;

    private TfCheckpoint() {}

    /** The index entries of {@code <variablesPrefix>.index} in key order (header excluded). */
    public static LinkedHashMap<String, Variable> list(Path variablesPrefix) {
        Path index = sibling(variablesPrefix, ".index");
        LinkedHashMap<String, byte[]> raw;
        try {
            raw = SsTable.readAll(index);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read TensorFlow checkpoint index " + index + ": " + ex.getMessage(), ex);
        }
        LinkedHashMap<String, Variable> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : raw.entrySet()) {
            if (e.getKey().isEmpty()) continue;
            try {
                out.put(e.getKey(), entry(e.getKey(), e.getValue()));
            } catch (IllegalStateException ex) {
                throw new IllegalArgumentException("corrupt TensorFlow checkpoint index " + index + ": entry '" + e.getKey() + "': " + ex.getMessage());
            }
        }
        return out;
    }

    /**
     * Reads every floating-point variable (float, double, half, bfloat16, decoded to fp32) under its TensorFlow
     * name; integer/string variables such as {@code global_step} are skipped (see {@link #list}). Each tensor's
     * bytes are checked against the crc32c recorded in the index.
     */
    public static LinkedHashMap<String, HostTensor> read(Path variablesPrefix) {
        Path index = sibling(variablesPrefix, ".index");
        int shards = numShards(index);
        Map<Integer, FileChannel> open = new HashMap<>();
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        try {
            for (Variable v : list(variablesPrefix).values()) {
                if (v.dtype != DT_FLOAT && v.dtype != DT_DOUBLE && v.dtype != DT_HALF && v.dtype != DT_BFLOAT16) continue;
                if (!v.name.isEmpty() && v.shard >= shards) throw new IllegalArgumentException("checkpoint " + index + ": variable '" + v.name + "' is in shard " + v.shard + " of " + shards);
                Path data = sibling(variablesPrefix, String.format(".data-%05d-of-%05d", v.shard, shards));
                FileChannel ch = open.get(v.shard);
                if (ch == null) {
                    ch = FileChannel.open(data, StandardOpenOption.READ);
                    open.put(v.shard, ch);
                }
                out.put(v.name, decode(data, ch, v));
                Progress.check();
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read TensorFlow checkpoint " + variablesPrefix + ": " + ex.getMessage(), ex);
        } finally {
            for (FileChannel ch : open.values()) {
                try { ch.close(); } catch (IOException ignored) { /* read-only */ }
            }
        }
        return out;
    }

    /** {@link #bertToHf(Map, List)} discarding the list of dropped variables. */
    public static LinkedHashMap<String, HostTensor> bertToHf(Map<String, HostTensor> tf) { return bertToHf(tf, new ArrayList<>()); }

    private static final Pattern LAYER = Pattern.compile("layer_(\\d+)");

    /**
     * Renames Google BERT variables to Hugging Face {@code BertModel} keys: a leading scope up to {@code bert/}
     * ({@code module/}) is removed, {@code /} becomes {@code .}, {@code layer_N} becomes {@code layer.N},
     * {@code gamma}/{@code beta} become LayerNorm {@code weight}/{@code bias}, embedding tables get {@code .weight},
     * and dense {@code kernel [in, out]} becomes {@code weight [out, in]} (transposed). Everything else (optimizer
     * slots {@code adam_m}/{@code adam_v}, {@code global_step}, pre-training heads {@code cls/*}) is appended to
     * {@code dropped}. The result is checked to be a complete BERT and returned in state-dict order.
     */
    public static LinkedHashMap<String, HostTensor> bertToHf(Map<String, HostTensor> tf, List<String> dropped) {
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : tf.entrySet()) {
            String name = e.getKey();
            int at = name.startsWith("bert/") ? 0 : name.indexOf("/bert/") + 1;
            if (at < 0 || (at == 0 && !name.startsWith("bert/")) || name.contains("adam_m") || name.contains("adam_v")) {
                dropped.add(name);
                continue;
            }
            String[] parts = name.substring(at + "bert/".length()).split("/");
            String last = parts[parts.length - 1];
            StringBuilder hf = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                Matcher m = LAYER.matcher(parts[i]);
                hf.append(m.matches() ? "layer." + m.group(1) : parts[i]).append('.');
            }
            HostTensor t = e.getValue();
            switch (last) {
                case "kernel" -> { hf.append("weight"); t = t.transpose2d(); }
                case "gamma" -> hf.append("weight");
                case "beta" -> hf.append("bias");
                case "bias" -> hf.append("bias");
                case "word_embeddings", "position_embeddings", "token_type_embeddings" -> hf.append(last).append(".weight");
                default -> { dropped.add(name); continue; }
            }
            if (out.put(hf.toString(), t) != null) throw new IllegalArgumentException("two TensorFlow variables map to '" + hf + "'");
        }
        return BertKeys.sorted(out, "TensorFlow BERT checkpoint");
    }

    // ---- internals ----

    private static HostTensor decode(Path data, FileChannel ch, Variable v) throws IOException {
        int width = switch (v.dtype) { case DT_DOUBLE -> 8; case DT_FLOAT -> 4; default -> 2; };
        long numel = HostTensor.numel(v.shape);
        if (v.size != numel * width) {
            throw new IllegalArgumentException("checkpoint " + data + ": variable '" + v.name + "' has " + v.size + " bytes, "
                + v.dtypeName() + " x " + Arrays.toString(v.shape) + " needs " + numel * width);
        }
        if (v.offset < 0 || v.offset + v.size > ch.size()) {
            throw new IllegalArgumentException("checkpoint " + data + ": variable '" + v.name + "' at bytes [" + v.offset + ", "
                + (v.offset + v.size) + ") lies beyond the end of the file (" + ch.size() + " bytes; truncated?)");
        }
        ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, v.offset, v.size).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate());
        if ((int) crc.getValue() != SsTable.unmask(v.crc32c)) {
            throw new IllegalArgumentException("checkpoint " + data + ": variable '" + v.name + "' fails its crc32c check (corrupt data file)");
        }
        float[] out = new float[(int) numel];
        switch (v.dtype) {
            case DT_FLOAT -> b.asFloatBuffer().get(out);
            case DT_DOUBLE -> { for (int i = 0; i < out.length; i++) out[i] = (float) b.getDouble(8 * i); }
            case DT_HALF -> { for (int i = 0; i < out.length; i++) out[i] = Halfs.fp16ToFloat(b.getShort(2 * i)); }
            default -> { for (int i = 0; i < out.length; i++) out[i] = Halfs.bf16ToFloat(b.getShort(2 * i)); }
        }
        return new HostTensor(v.shape, out);
    }

    private static Variable entry(String name, byte[] bytes) {
        ProtoReader r = new ProtoReader(ByteBuffer.wrap(bytes));
        int dtype = 0, shard = 0, crc = 0;
        long offset = 0, size = 0;
        List<Long> dims = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> dtype = (int) r.varint();
                case 2 -> {
                    ProtoReader s = new ProtoReader(r.bytes());
                    while (s.next()) {
                        if (s.field() != 2) { s.skip(); continue; }
                        ProtoReader d = new ProtoReader(s.bytes());
                        long dim = 0;
                        while (d.next()) { if (d.field() == 1) dim = d.varint(); else d.skip(); }
                        dims.add(dim);
                    }
                }
                case 3 -> shard = (int) r.varint();
                case 4 -> offset = r.varint();
                case 5 -> size = r.varint();
                case 6 -> crc = r.fixed32();
                case 7 -> throw new IllegalStateException("sliced (partitioned) variables are not supported");
                default -> r.skip();
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        return new Variable(name, dtype, shape, shard, offset, size, crc);
    }

    private static int numShards(Path index) {
        try {
            byte[] header = SsTable.readAll(index).get("");
            if (header == null) return 1;
            ProtoReader r = new ProtoReader(ByteBuffer.wrap(header));
            int n = 1;
            while (r.next()) { if (r.field() == 1) n = (int) r.varint(); else r.skip(); }
            return n;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read TensorFlow checkpoint index " + index + ": " + ex.getMessage(), ex);
        }
    }

    private static Path sibling(Path prefix, String suffix) {
        return prefix.resolveSibling(prefix.getFileName() + suffix);
    }

    /** Interrupt check between tensors (converting BERT-base reads ~440 MB). */
    private static final class Progress {
        static void check() { dev.memtune.progress.Progress.checkInterrupted(); }
    }
}
