package dev.memtune.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Minimal protocol-buffers wire-format reader (varint, fixed32/64, length-delimited), enough to walk
 * ONNX {@code ModelProto} and TensorFlow {@code BundleEntryProto} messages without generated code.
 * Usage: {@code while (r.next()) switch (r.field()) { case 1 -> r.string(); default -> r.skip(); }}.
 */
final class ProtoReader {
    static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    private final ByteBuffer buf;
    private int field, wire;

    ProtoReader(ByteBuffer buf) { this.buf = buf.slice().order(ByteOrder.LITTLE_ENDIAN); }

    /** Reads the next tag; false at the end of the message. */
    boolean next() {
        if (!buf.hasRemaining()) return false;
        long tag = varint();
        field = (int) (tag >>> 3);
        wire = (int) (tag & 7);
        if (field == 0) throw new IllegalStateException("invalid protobuf tag 0 at byte " + buf.position());
        return true;
    }

    int field() { return field; }

    /** Bytes not yet read. */
    int remaining() { return buf.remaining(); }

    int wire() { return wire; }

    long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!buf.hasRemaining()) throw new IllegalStateException("truncated varint at byte " + buf.position());
            byte b = buf.get();
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) return v;
        }
        throw new IllegalStateException("varint longer than 10 bytes at byte " + buf.position());
    }

    int fixed32() { need(4); return buf.getInt(); }

    long fixed64() { need(8); return buf.getLong(); }

    /** The payload of a length-delimited field, as a little-endian view (no copy). */
    ByteBuffer bytes() {
        long n = varint();
        if (n < 0 || n > buf.remaining()) throw new IllegalStateException("length " + n + " exceeds the " + buf.remaining() + " bytes left");
        ByteBuffer s = buf.slice().limit((int) n).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(buf.position() + (int) n);
        return s;
    }

    String string() {
        ByteBuffer b = bytes();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    /** Reads a field of type int64/int32/enum, accepting both packed and unpacked encodings via {@link #varints}. */
    long[] varints() {
        if (wire == VARINT) return new long[] {varint()};
        ByteBuffer b = bytes();
        ProtoReader r = new ProtoReader(b);
        long[] out = new long[16];
        int n = 0;
        while (r.buf.hasRemaining()) {
            if (n == out.length) out = java.util.Arrays.copyOf(out, 2 * n);
            out[n++] = r.varint();
        }
        return java.util.Arrays.copyOf(out, n);
    }

    void skip() {
        switch (wire) {
            case VARINT -> varint();
            case FIXED64 -> { need(8); buf.position(buf.position() + 8); }
            case LEN -> bytes();
            case FIXED32 -> { need(4); buf.position(buf.position() + 4); }
            default -> throw new IllegalStateException("unsupported wire type " + wire + " for field " + field);
        }
    }

    private void need(int n) {
        if (buf.remaining() < n) throw new IllegalStateException("truncated message: need " + n + " bytes, " + buf.remaining() + " left");
    }
}
