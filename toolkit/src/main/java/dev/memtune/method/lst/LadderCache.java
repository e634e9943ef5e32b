package dev.memtune.method.lst;

import dev.memtune.sys.ProcMemory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.memtune.backbone.Batch;
import dev.memtune.method.Split;
import dev.memtune.method.SplitCache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * LST backbone cache (beyond the paper). The side network reads from the frozen backbone only its
 * ladder inputs, {@link LstModel#ladderInputs}: the embedding output h_0 and each kept layer's output
 * h_i. With the backbone's dropout off they are the same in every epoch, so each example's are
 * computed once, the first time a batch holds it, and every later batch is assembled from the cache:
 * <pre>
 *   epoch 1:   H = Backbone(x) (no grad);  store H[:, row, :len] per example;  loss = Head(Side(H))
 *   epoch > 1: H = pad(cache[examples]);                                       loss = Head(Side(H))
 * </pre>
 * Entries are per example and unpadded ([K+1, rows, len, d] float32), so batches can be regrouped in
 * every epoch; padding is filled with zeros, which the attention mask hides from real tokens, so the
 * losses equal the uncached run's (dropout off) up to float rounding. Entries live in native memory or
 * in a temporary file (read back per batch), chosen by the LST option {@code backbone_cache}: {@code memory},
 * {@code disk}, or {@code auto} (memory when the split's entries fit in 40% of the memory available).
 */
public final class LadderCache implements SplitCache {
    private final LstModel model;
    private final Split split;
    private final int layers, width;
    private final NDManager manager;                  // memory store
    private final NDArray[] entries;
    private final FileChannel file;                   // disk store
    private final Path path;
    private final long[] offset;
    private final boolean[] cached;
    private long bytes, filePos, hits, misses;
    private ByteBuffer scratch;                       // disk reads, reused (the tensor made from it is copied at once)

    LadderCache(LstModel model, Split split, String mode) {
        this.model = model;
        this.split = split;
        this.layers = model.side.main().kept.size() + 1;
        this.width = model.backbone.config().hiddenSize();
        this.cached = new boolean[split.size()];
        boolean disk = switch (mode) {
            case "memory" -> false;
            case "disk" -> true;
            case "auto" -> estimateBytes() > 0.4 * ProcMemory.availableBytes();
            default -> throw new IllegalArgumentException("lst: backbone_cache: unknown mode '" + mode + "' (" + LstConfig.CACHES + ")");
        };
        if (disk) {
            try {
                path = Files.createTempFile("memtune-ladder-", ".f32");
                file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
            } catch (IOException e) {
                throw new UncheckedIOException("backbone_cache: cannot create a cache file in " + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
            }
            offset = new long[split.size()];
            manager = null;
            entries = null;
        } else {
            path = null;
            file = null;
            offset = null;
            manager = model.manager().newSubManager();
            entries = new NDArray[split.size()];
        }
    }

    /** Bytes the whole split takes once cached. */
    public long estimateBytes() {
        long n = 0;
        for (int i = 0; i < split.size(); i++) n += (long) split.rows(i) * split.length(i);
        return n * layers * width * 4;
    }

    /** Where entries live, for progress messages. */
    String where() { return file == null ? "in memory" : "on disk (" + path + ")"; }

    @Override
    public String describe() { return String.format("%.2f GB %s; the backbone runs without dropout", estimateBytes() / 1e9, where()); }

    /** The side network's logits on batch {@code b} (the split's examples {@code which}) with the backbone read from the cache. */
    @Override
    public NDArray logits(Batch b, int[] which) { return model.logitsOn(ladderInputs(b, which), b.attentionMask(), b.choiceMask()); }

    public long bytes() { return bytes; }
    public long hits() { return hits; }
    public long misses() { return misses; }

    /**
     * Ladder inputs ([rows, T, d] each, K+1 of them) of the batch {@code b} made of the examples
     * {@code which}: assembled from the cache when every example is in it, else computed by the
     * backbone and stored. Created in the caller's scope.
     */
    public List<NDArray> ladderInputs(Batch b, int[] which) {
        boolean all = true;
        for (int i : which) all &= cached[i];
        if (!all) {
            misses++;
            List<NDArray> fresh = model.ladderInputs(b);
            store(fresh, which, stride(b));
            return fresh;
        }
        hits++;
        NDManager m = b.inputIds().getManager();
        NDArray big = m.zeros(new Shape(layers, b.batchSize(), b.seqLen(), width), DataType.FLOAT32);   // b: rows of `which`, padded
        int r = 0, stride = stride(b);
        for (int i : which) {
            int rows = split.rows(i);
            NDIndex at = new NDIndex(":, {}:{}, :{}", r, r + rows, split.length(i));
            if (entries != null) big.set(at, entries[i]);
            else try (NDArray e = read(m, i)) { big.set(at, e); }
            r += stride > 0 ? stride : rows;
        }
        List<NDArray> out = new ArrayList<>(layers);
        for (int k = 0; k < layers; k++) out.add(big.get(k));
        return out;
    }

    /**
     * Rows each example takes in a multiple-choice batch (its choices, then padding choices up to the
     * batch's most, see {@link Batch#choiceMask}); 0 when the batch has no choice mask. Only real
     * choices are cached: padding rows read zeros, and the head masks their logits.
     */
    private static int stride(Batch b) { return b.choiceMask() == null ? 0 : (int) b.choiceMask().getShape().get(1); }

    private void store(List<NDArray> fresh, int[] which, int stride) {
        try (NDArray all = NDArrays.stack(new NDList(fresh), 0)) {                   // [K+1, rows, T, d]
            int r = 0;
            for (int i : which) {
                int rows = split.rows(i);
                if (!cached[i]) {
                    NDArray e = all.get(new NDIndex(":, {}:{}, :{}", r, r + rows, split.length(i))).duplicate();
                    long n = e.getShape().size() * 4;
                    if (entries != null) {
                        ai.djl.ndarray.NDScope.unregister(e);                   // outlives the caller's scope
                        e.attach(manager);
                        entries[i] = e;
                    } else {
                        write(i, e);
                        e.close();
                    }
                    bytes += n;
                    cached[i] = true;
                }
                r += stride > 0 ? stride : rows;
            }
        }
    }

    private void write(int i, NDArray e) {
        ByteBuffer bb = e.toByteBuffer();
        try {
            offset[i] = filePos;
            long pos = filePos;
            while (bb.hasRemaining()) pos += file.write(bb, pos);
            filePos = pos;
        } catch (IOException ex) {
            throw new UncheckedIOException("backbone_cache: writing " + path + " failed: " + ex.getMessage(), ex);
        }
    }

    private NDArray read(NDManager m, int i) {
        Shape s = new Shape(layers, split.rows(i), split.length(i), width);
        int n = (int) (s.size() * 4);
        if (scratch == null || scratch.capacity() < n) scratch = ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
        ByteBuffer bb = scratch.clear().limit(n);
        try {
            long pos = offset[i];
            while (bb.hasRemaining()) {
                int got = file.read(bb, pos);
                if (got < 0) throw new IOException("unexpected end of file at byte " + pos);
                pos += got;
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("backbone_cache: reading " + path + " failed: " + ex.getMessage(), ex);
        }
        bb.flip();
        // create() may wrap the direct buffer; duplicate() copies it into memory the tensor owns
        try (NDArray wrapped = m.create(bb, s, DataType.FLOAT32)) { return wrapped.duplicate(); }
    }

    @Override
    public void close() {
        model.cacheClosed();
        if (manager != null) manager.close();
        if (file != null) {
            try { file.close(); } catch (IOException ignored) { }
        }
    }
}
