package dev.memtune.methods;

import dev.memtune.method.Method;
import dev.memtune.method.Options;
import dev.memtune.method.adapter.Adapters;
import dev.memtune.method.bitfit.BitFit;
import dev.memtune.method.full.FullFineTuning;
import dev.memtune.method.lora.Lora;
import dev.memtune.method.lst.Lst;
import dev.memtune.method.meft.Meft;
import dev.memtune.method.symtune.SymTune;

import java.util.*;

/**
 * The method registry, one line per method: its name and the {@code fromOptions(name, Options)} of its
 * package, which reads the string options into that method's config builder (defaults live in the
 * builder only). {@link #create} validates and rejects unknown keys. It sits above every
 * {@code method.*} package, so none of them names another through it.
 */
public final class Methods {
    private interface Factory { Method create(String name, Options o); }

    private static final Map<String, Factory> REGISTRY = new LinkedHashMap<>();
    static {
        REGISTRY.put("full", FullFineTuning::fromOptions);
        REGISTRY.put("bitfit", BitFit::fromOptions);
        REGISTRY.put("lora", Lora::fromOptions);
        REGISTRY.put("adapter", Adapters::fromOptions);
        REGISTRY.put("lst", Lst::fromOptions);
        REGISTRY.put("meft1", Meft::fromOptions);
        REGISTRY.put("meft2", Meft::fromOptions);
        REGISTRY.put("meft3", Meft::fromOptions);
        REGISTRY.put("symtune", SymTune::fromOptions);
    }

    private Methods() {}

    public static List<String> names() { return List.copyOf(REGISTRY.keySet()); }

    /** Whether a method (or a spec's method) is registered. */
    public static boolean available(String name) { return REGISTRY.containsKey(specName(name)); }

    /**
     * A method from a spec: its name, or its name with options, {@code lst:backbone_dropout=false:reduction_factor=16}
     * (the form the benchmark and profiler take on their command lines).
     */
    public static Method create(String spec) {
        String[] parts = spec.split(":");
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("method spec '" + spec + "': expected name:key=value[:key=value...], got '" + parts[i] + "'");
            o.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return create(parts[0], o);
    }

    /** The method name of a spec ({@code lst:r=4} -> {@code lst}). */
    public static String specName(String spec) { int c = spec.indexOf(':'); return c < 0 ? spec : spec.substring(0, c); }

    public static Method create(String name, Map<String, String> options) {
        Factory f = REGISTRY.get(name);
        if (f == null) throw new IllegalArgumentException("unknown method '" + name + "'; known: " + names());
        Options o = new Options(name, options);
        Method m = f.create(name, o);
        o.rejectUnknown();
        return m;
    }
}
