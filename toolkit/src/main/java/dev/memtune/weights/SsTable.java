package dev.memtune.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.zip.CRC32C;

/**
 * Reader for a LevelDB-format table (the TensorFlow checkpoint {@code .index} file). Layout: data blocks,
 * a meta-index block, an index block and a 48-byte footer (two varint block handles, padding, magic
 * {@code 0xdb4775248b80fb57}). Each block ends with a 5-byte trailer (compression type, masked crc32c of
 * contents + type), verified here. A block holds prefix-compressed entries ({@code varint shared, varint
 * unshared, varint valueLength, key delta, value}) followed by restart offsets, which a full scan ignores.
 * TensorFlow writes bundle indexes uncompressed; Snappy blocks are rejected with a clear error.
 */
final class SsTable {
    private static final long MAGIC = 0xdb4775248b80fb57L;

    private SsTable() {}

    /** All entries in key order: key (UTF-8) to value bytes. */
    static LinkedHashMap<String, byte[]> readAll(Path file) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (all.capacity() < 48) throw new IllegalArgumentException("corrupt table " + file + ": " + all.capacity() + " bytes, shorter than the 48-byte footer");
        if (all.getLong(all.capacity() - 8) != MAGIC) throw new IllegalArgumentException("corrupt table " + file + ": bad magic number in footer");
        ProtoReader footer = new ProtoReader(all.duplicate().position(all.capacity() - 48));
        footer.varint();                                   // meta-index handle (unused)
        footer.varint();
        long indexOff = footer.varint(), indexSize = footer.varint();
        LinkedHashMap<String, byte[]> out = new LinkedHashMap<>();
        for (var idx : block(file, all, indexOff, indexSize).entrySet()) {
            ProtoReader h = new ProtoReader(ByteBuffer.wrap(idx.getValue()));
            long off = h.varint(), size = h.varint();
            out.putAll(block(file, all, off, size));
        }
        return out;
    }

    private static LinkedHashMap<String, byte[]> block(Path file, ByteBuffer all, long off, long size) {
        if (off < 0 || size < 4 || off + size + 5 > all.capacity()) {
            throw new IllegalArgumentException("corrupt table " + file + ": block handle (" + off + ", " + size + ") outside the file");
        }
        int o = (int) off, n = (int) size;
        int type = all.get(o + n) & 0xff;
        CRC32C crc = new CRC32C();
        crc.update(all.duplicate().position(o).limit(o + n + 1));
        int stored = all.getInt(o + n + 1);
        if (unmask(stored) != (int) crc.getValue()) throw new IllegalArgumentException("corrupt table " + file + ": crc32c mismatch in block at " + off);
        if (type != 0) throw new IllegalArgumentException("table " + file + ": block at " + off + " uses compression type " + type + " (only uncompressed is supported)");
        ByteBuffer b = all.duplicate().position(o).limit(o + n).slice().order(ByteOrder.LITTLE_ENDIAN);
        int restarts = b.getInt(n - 4);
        int end = n - 4 - 4 * restarts;
        if (restarts < 0 || end < 0) throw new IllegalArgumentException("corrupt table " + file + ": bad restart count in block at " + off);
        LinkedHashMap<String, byte[]> out = new LinkedHashMap<>();
        byte[] key = new byte[0];
        ByteBuffer rest = b.duplicate();
        int pos = 0;
        while (pos < end) {
            ProtoReader e = new ProtoReader(rest.position(pos).limit(end));
            int shared = (int) e.varint(), unshared = (int) e.varint(), vlen = (int) e.varint();
            int consumed = end - pos - e.remaining();
            int kstart = pos + consumed;
            if (shared > key.length || kstart + unshared + vlen > end) throw new IllegalArgumentException("corrupt table " + file + ": bad entry in block at " + off);
            byte[] k = new byte[shared + unshared];
            System.arraycopy(key, 0, k, 0, shared);
            b.get(kstart, k, shared, unshared);
            byte[] v = new byte[vlen];
            b.get(kstart + unshared, v, 0, vlen);
            out.put(new String(k, StandardCharsets.UTF_8), v);
            key = k;
            pos = kstart + unshared + vlen;
        }
        return out;
    }

    /** LevelDB/TensorFlow crc masking: {@code mask(c) = rotr(c, 15) + 0xa282ead8}. */
    static int unmask(int masked) {
        int rot = masked - 0xa282ead8;
        return (rot >>> 17) | (rot << 15);
    }
}
