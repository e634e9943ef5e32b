package dev.memtune.weights;

import java.util.Arrays;

/**
 * A dense fp32 tensor on the Java heap, row-major ("C order"), as read from a checkpoint file.
 * The backbone copies it into a DJL {@code NDArray}; nothing here touches native memory.
 *
 * @param shape dimensions, outermost first; {@code []} is a scalar
 * @param data  {@code numel()} values in row-major order
 */
public record HostTensor(long[] shape, float[] data) {
    public HostTensor {
        if (shape == null || data == null) throw new IllegalArgumentException("shape and data must not be null");
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values but data has " + data.length);
        }
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long numel() { return numel(shape); }

    /** Number of dimensions. */
    public int rank() { return shape.length; }

    /** Element at row-major position {@code index} of a 2-D tensor: {@code data[row * cols + col]}. */
    public float get(int row, int col) {
        if (shape.length != 2) throw new IllegalStateException("get(row, col) needs a 2-D tensor, shape is " + Arrays.toString(shape));
        return data[(int) (row * shape[1] + col)];
    }

    /** One row of a 2-D tensor (e.g. one embedding vector), copied. */
    public float[] row(int row) {
        if (shape.length != 2) throw new IllegalStateException("row() needs a 2-D tensor, shape is " + Arrays.toString(shape));
        int cols = (int) shape[1];
        return Arrays.copyOfRange(data, row * cols, (row + 1) * cols);
    }

    /** The transpose of a 2-D tensor, e.g. ONNX/TF {@code [in, out]} to torch Linear {@code [out, in]}. */
    public HostTensor transpose2d() {
        if (shape.length != 2) throw new IllegalStateException("transpose2d() needs a 2-D tensor, shape is " + Arrays.toString(shape));
        int r = (int) shape[0], c = (int) shape[1];
        float[] t = new float[data.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) t[j * r + i] = data[i * c + j];
        }
        return new HostTensor(new long[] {c, r}, t);
    }

    /** Shape as text, e.g. {@code [384, 1536]}. */
    public String shapeString() { return Arrays.toString(shape); }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }

    @Override
    public String toString() { return "HostTensor" + shapeString(); }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
