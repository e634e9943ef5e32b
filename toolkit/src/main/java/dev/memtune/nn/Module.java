package dev.memtune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.*;
import java.util.function.Predicate;

/**
 * A tree of named parameters and sub-modules, in the spirit of {@code torch.nn.Module}: full
 * parameter names are the dotted paths Hugging Face uses ({@code encoder.layer.0.attention.self.query.weight}),
 * so checkpoints load by key. Parameters are allocated in the module's {@link NDManager}.
 */
public abstract class Module {
    protected final NDManager manager;
    private final LinkedHashMap<String, Param> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    protected boolean training;

    protected Module(NDManager manager) { this.manager = manager; }

    public NDManager manager() { return manager; }

    // ---- registration -------------------------------------------------------------------------

    protected Param param(String name, Shape shape) {
        NDArray a = manager.zeros(shape, DataType.FLOAT32);
        Param p = new Param(name, a);
        params.put(name, p);
        return p;
    }

    protected <M extends Module> M child(String name, M m) {
        children.put(name, m);
        return m;
    }

    /** Replaces a registered child (LoRA swaps a Linear for its low-rank version this way). */
    public void replaceChild(String name, Module m) {
        if (!children.containsKey(name)) throw new IllegalArgumentException(getClass().getSimpleName() + " has no child '" + name + "' (children: " + children.keySet() + ")");
        children.put(name, m);
        onChildReplaced(name, m);
    }

    /** Subclasses that cache child references update them here. */
    protected void onChildReplaced(String name, Module m) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support replacing '" + name + "'");
    }

    public Module getChild(String name) { return children.get(name); }

    public Map<String, Module> children() { return Collections.unmodifiableMap(children); }

    // ---- traversal ----------------------------------------------------------------------------

    /** Every parameter with its full dotted name, in registration (architecture) order. */
    public LinkedHashMap<String, Param> namedParams() {
        LinkedHashMap<String, Param> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Param> out) {
        params.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    /** Every sub-module with its dotted path ("" for this one). */
    public LinkedHashMap<String, Module> namedModules() {
        LinkedHashMap<String, Module> out = new LinkedHashMap<>();
        walk("", out);
        return out;
    }

    private void walk(String path, Map<String, Module> out) {
        out.put(path, this);
        children.forEach((n, c) -> c.walk(path.isEmpty() ? n : path + "." + n, out));
    }

    public long numParams() { return namedParams().values().stream().mapToLong(Param::numel).sum(); }

    public long numTrainable() { return namedParams().values().stream().filter(Param::trainable).mapToLong(Param::numel).sum(); }

    public List<Param> trainableParams() { return namedParams().values().stream().filter(Param::trainable).toList(); }

    /** Freezes everything, then makes trainable exactly the parameters whose full name matches. */
    public void setTrainable(Predicate<String> which) {
        namedParams().forEach((n, p) -> p.setTrainable(which.test(n)));
    }

    public void zeroGrad() { namedParams().values().forEach(Param::zeroGrad); }

    /** Training mode switches dropout on; propagates to all children. */
    public void train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
    }

    public boolean isTraining() { return training; }

    // ---- initialisation and loading ----------------------------------------------------------

    /** HF-style init: weights N(0, std), biases 0, norm weights 1; seeded through the engine. */
    public void initNormal(double std) {
        namedParams().forEach((n, p) -> {
            NDArray v;
            if (n.endsWith(".weight") && isNormParam(n)) v = manager.ones(p.data().getShape());
            else if (n.endsWith("bias")) v = manager.zeros(p.data().getShape());
            else v = manager.randomNormal(0f, (float) std, p.data().getShape(), DataType.FLOAT32);
            p.set(v);
        });
    }

    /**
     * Whether a parameter (by its full dotted name) belongs to a normalisation layer under Hugging Face's names: the
     * module holding it is BERT's {@code LayerNorm}, T5's {@code layer_norm} / {@code final_layer_norm}, OPT's
     * {@code *_layer_norm}, or a {@code *layernorm}.
     */
    public static boolean isNormParam(String name) {
        int end = name.lastIndexOf('.');
        if (end < 0) return false;
        String owner = name.substring(name.lastIndexOf('.', end - 1) + 1, end);
        return owner.endsWith("LayerNorm") || owner.endsWith("layer_norm") || owner.endsWith("layernorm");
    }

    /**
     * Loads values by full name. With {@code strict}, a missing or unexpected key is an error
     * listing them; shape mismatches always are.
     */
    public void load(Map<String, NDArray> state, boolean strict, String source) {
        LinkedHashMap<String, Param> mine = namedParams();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
        for (String k : mine.keySet()) if (!state.containsKey(k)) missing.add(k);
        for (String k : state.keySet()) if (!mine.containsKey(k)) unexpected.add(k);
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty()))
            throw new IllegalArgumentException(source + ": state does not match " + getClass().getSimpleName()
                    + (missing.isEmpty() ? "" : "; missing keys " + head(missing)) + (unexpected.isEmpty() ? "" : "; unexpected keys " + head(unexpected)));
        for (var e : mine.entrySet()) {
            NDArray v = state.get(e.getKey());
            if (v == null) continue;
            if (!v.getShape().equals(e.getValue().data().getShape()))
                throw new IllegalArgumentException(source + ": tensor '" + e.getKey() + "' has shape " + v.getShape() + ", model expects " + e.getValue().data().getShape());
            e.getValue().set(v.toType(DataType.FLOAT32, false).duplicate());
        }
    }

    private static String head(List<String> l) {
        return l.size() <= 8 ? l.toString() : l.subList(0, 8) + " ... (" + l.size() + " in all)";
    }
}
