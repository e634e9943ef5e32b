package dev.memtune.nn;

import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Children named "0", "1", ... as in {@code torch.nn.ModuleList}. */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    public ModuleList(NDManager m, int n, IntFunction<M> make) {
        super(m);
        for (int i = 0; i < n; i++) items.add(child(Integer.toString(i), make.apply(i)));
    }

    public M get(int i) { return items.get(i); }

    public int size() { return items.size(); }

    public List<M> items() { return java.util.Collections.unmodifiableList(items); }
}
