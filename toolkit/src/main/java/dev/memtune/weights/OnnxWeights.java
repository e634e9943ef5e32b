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

/**
 * Extracts the weights of a BERT encoder exported to ONNX (PyTorch exporter, as in Hugging Face
 * optimum / Xenova exports) under Hugging Face {@code BertModel} state-dict names.
 *
 * <p>The ONNX protobuf is parsed directly (onnx.proto field numbers: {@code ModelProto.graph = 7};
 * {@code GraphProto.node = 1, initializer = 5}; {@code NodeProto.input = 1, output = 2, op_type = 4};
 * {@code TensorProto.dims = 1, data_type = 2, float_data = 4, name = 8, raw_data = 9, data_location = 14}).
 * Named initializers (embeddings, biases, LayerNorm) keep their names. The exporter leaves Linear weights
 * unnamed ({@code onnx::MatMul_787}, stored transposed as {@code [in, out]}); their names are recovered by
 * following the {@code MatMul} output to the {@code Add} whose other input is a named bias
 * ({@code encoder.layer.0.attention.self.query.bias} gives {@code ...query.weight}) and they are transposed to
 * the torch Linear layout {@code [out, in]}. Non-float initializers (the {@code embeddings.position_ids}
 * buffer) are skipped.
 *
 * <p>The langchain4j exports of all-MiniLM-L6-v2 and bge-small-en-v1.5 contain <b>no pooler</b>: their only
 * output is {@code last_hidden_state}, so the result has no {@code pooler.dense.*} keys.
 */
public final class OnnxWeights {
    private static final int FLOAT = 1;

    private OnnxWeights() {}

    private record Node(String opType, List<String> inputs, List<String> outputs) {}

    private record Init(String name, long[] dims, int dataType, ByteBuffer raw, float[] floatData, boolean external) {}

    /** Reads all float initializers of {@code onnxFile} and returns them under HF names, in state-dict order. */
    public static LinkedHashMap<String, HostTensor> read(Path onnxFile) {
        ByteBuffer model;
        try (FileChannel ch = FileChannel.open(onnxFile, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) throw new IllegalArgumentException("ONNX file " + onnxFile + " is over 2 GB; external-data models are not supported");
            model = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read ONNX file " + onnxFile + ": " + ex.getMessage(), ex);
        }
        List<Node> nodes = new ArrayList<>();
        List<Init> inits = new ArrayList<>();
        try {
            ByteBuffer graph = null;
            ProtoReader m = new ProtoReader(model);
            while (m.next()) {
                if (m.field() == 7 && m.wire() == ProtoReader.LEN) graph = m.bytes();
                else m.skip();
            }
            if (graph == null) throw new IllegalArgumentException("ONNX file " + onnxFile + " has no graph (ModelProto field 7)");
            ProtoReader g = new ProtoReader(graph);
            while (g.next()) {
                if (g.field() == 1 && g.wire() == ProtoReader.LEN) nodes.add(node(g.bytes()));
                else if (g.field() == 5 && g.wire() == ProtoReader.LEN) inits.add(init(g.bytes()));
                else g.skip();
            }
        } catch (IllegalStateException ex) {
            throw new IllegalArgumentException("corrupt ONNX file " + onnxFile + ": " + ex.getMessage(), ex);
        }
        return toHf(onnxFile, nodes, inits);
    }

    private static LinkedHashMap<String, HostTensor> toHf(Path file, List<Node> nodes, List<Init> inits) {
        Map<String, List<Node>> consumers = new HashMap<>();
        for (Node n : nodes) for (String in : n.inputs) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        Map<String, Init> byName = new HashMap<>();
        for (Init i : inits) byName.put(i.name, i);

        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (Init init : inits) {
            if (init.dataType != FLOAT) continue;                       // e.g. the int64 embeddings.position_ids buffer
            if (init.external) throw new IllegalArgumentException("ONNX file " + file + ": initializer '" + init.name + "' uses external data, not supported");
            HostTensor t = tensor(file, init);
            String name = init.name.startsWith("bert.") ? init.name.substring(5) : init.name;
            if (init.name.startsWith("onnx::") || !name.contains(".")) {
                name = recoverLinearName(file, init.name, consumers, byName);
                if (t.rank() != 2) throw new IllegalArgumentException("ONNX file " + file + ": MatMul weight '" + init.name + "' is not 2-D: " + t.shapeString());
                t = t.transpose2d();                                      // ONNX MatMul [in, out] -> torch Linear [out, in]
            }
            if (out.put(name, t) != null) throw new IllegalArgumentException("ONNX file " + file + ": two initializers map to '" + name + "'");
        }
        return BertKeys.sorted(out, "ONNX file " + file);
    }

    /** {@code X @ W} feeds {@code Add(bias, .)}: the weight is named after the bias. */
    private static String recoverLinearName(Path file, String init, Map<String, List<Node>> consumers, Map<String, Init> byName) {
        for (Node mm : consumers.getOrDefault(init, List.of())) {
            if (!mm.opType.equals("MatMul") || mm.inputs.size() != 2 || !mm.inputs.get(1).equals(init)) continue;
            for (Node add : consumers.getOrDefault(mm.outputs.get(0), List.of())) {
                if (!add.opType.equals("Add")) continue;
                for (String other : add.inputs) {
                    if (other.endsWith(".bias") && byName.containsKey(other)) {
                        String base = other.substring(0, other.length() - ".bias".length()) + ".weight";
                        return base.startsWith("bert.") ? base.substring(5) : base;
                    }
                }
            }
        }
        throw new IllegalArgumentException("ONNX file " + file + ": cannot recover the Hugging Face name of initializer '" + init
            + "' (expected it as input 2 of a MatMul whose output feeds an Add with a named '*.bias' initializer)");
    }

    private static HostTensor tensor(Path file, Init init) {
        long[] shape = init.dims;
        int numel = Math.toIntExact(HostTensor.numel(shape));
        float[] data;
        if (init.raw != null) {
            if (init.raw.remaining() != 4L * numel) {
                throw new IllegalArgumentException("ONNX file " + file + ": initializer '" + init.name + "' has " + init.raw.remaining()
                    + " raw bytes, shape " + Arrays.toString(shape) + " needs " + 4L * numel);
            }
            data = new float[numel];
            init.raw.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        } else {
            data = init.floatData == null ? new float[0] : init.floatData;
            if (data.length != numel) {
                throw new IllegalArgumentException("ONNX file " + file + ": initializer '" + init.name + "' has " + data.length
                    + " float_data values, shape " + Arrays.toString(shape) + " needs " + numel);
            }
        }
        return new HostTensor(shape, data);
    }

    private static Node node(ByteBuffer b) {
        ProtoReader r = new ProtoReader(b);
        List<String> in = new ArrayList<>(), out = new ArrayList<>();
        String op = "";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> in.add(r.string());
                case 2 -> out.add(r.string());
                case 4 -> op = r.string();
                default -> r.skip();
            }
        }
        return new Node(op, in, out);
    }

    private static Init init(ByteBuffer b) {
        ProtoReader r = new ProtoReader(b);
        long[] dims = new long[0];
        int type = 0;
        String name = "";
        ByteBuffer raw = null;
        float[] floats = null;
        boolean external = false;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    long[] d = r.varints();
                    long[] all = Arrays.copyOf(dims, dims.length + d.length);
                    System.arraycopy(d, 0, all, dims.length, d.length);
                    dims = all;
                }
                case 2 -> type = (int) r.varint();
                case 4 -> floats = appendFloats(floats, r);
                case 8 -> name = r.string();
                case 9 -> raw = r.bytes();
                case 14 -> external = r.varint() == 1;
                default -> r.skip();
            }
        }
        return new Init(name, dims, type, raw, floats, external);
    }

    private static float[] appendFloats(float[] prev, ProtoReader r) {
        float[] add;
        if (r.wire() == ProtoReader.FIXED32) {
            add = new float[] {Float.intBitsToFloat(r.fixed32())};
        } else {
            ByteBuffer b = r.bytes();
            add = new float[b.remaining() / 4];
            b.asFloatBuffer().get(add);
        }
        if (prev == null) return add;
        float[] all = Arrays.copyOf(prev, prev.length + add.length);
        System.arraycopy(add, 0, all, prev.length, add.length);
        return all;
    }
}
