package dev.memtune.method;

import dev.memtune.method.adapter.AdapterConfig;
import dev.memtune.method.adapter.Adapters;
import dev.memtune.method.bitfit.BitFit;
import dev.memtune.method.bitfit.BitFitConfig;
import dev.memtune.method.full.FullConfig;
import dev.memtune.method.full.FullFineTuning;
import dev.memtune.method.lora.Lora;
import dev.memtune.method.lora.LoraConfig;

import java.util.*;

/**
 * The method registry: {@code full, bitfit, lora, adapter, lst, meft1, meft2, meft3, symtune}.
 * {@link #create} builds a method from string options (validated, unknown keys rejected).
 * Methods in their own packages are found by class name and expose
 * {@code public static Method fromOptions(String name, Options o)}.
 */
public final class Methods {
    private static final Map<String, String> EXTERNAL = new LinkedHashMap<>();
    static {
        EXTERNAL.put("lst", "dev.memtune.method.lst.Lst");
        EXTERNAL.put("meft1", "dev.memtune.method.meft.Meft");
        EXTERNAL.put("meft2", "dev.memtune.method.meft.Meft");
        EXTERNAL.put("meft3", "dev.memtune.method.meft.Meft");
        EXTERNAL.put("symtune", "dev.memtune.method.symtune.SymTune");
    }

    private Methods() {}

    public static List<String> names() {
        List<String> out = new ArrayList<>(List.of("full", "bitfit", "lora", "adapter"));
        for (String n : EXTERNAL.keySet()) if (available(n)) out.add(n);
        return out;
    }

    public static boolean available(String name) {
        name = specName(name);
        if (!EXTERNAL.containsKey(name)) return List.of("full", "bitfit", "lora", "adapter").contains(name);
        try { Class.forName(EXTERNAL.get(name)); return true; } catch (ClassNotFoundException e) { return false; }
    }

    /**
     * A method from a spec: its name, or its name with options, {@code lst:backbone_dropout=false:reduction_factor=16}
     * (the form the benchmark and profiler take on their command lines).
     */
    public static Method create(String spec) {
        String[] parts = spec.split(":");
        Map<String, String> o = new java.util.LinkedHashMap<>();
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
        Options o = new Options(name, options);
        Method m = switch (name) {
            case "full" -> new FullFineTuning(new FullConfig());
            case "bitfit" -> new BitFit(new BitFitConfig());
            case "lora" -> new Lora(LoraConfig.builder().setR(o.integer("r", 8)).setLoraAlpha(o.number("lora_alpha", 16))
                    .setLoraDropout(o.number("lora_dropout", 0.1)).setTargetModules(o.list("target_modules")).build());
            case "adapter" -> new Adapters(AdapterConfig.builder().setReductionFactor(o.integer("reduction_factor", 16))
                    .setNonLinearity(o.str("non_linearity", "relu")).setAfterAttention(o.bool("after_attention", true))
                    .setAfterFfn(o.bool("after_ffn", true)).build());
            default -> external(name, o);
        };
        o.rejectUnknown();
        return m;
    }

    private static Method external(String name, Options o) {
        String cls = EXTERNAL.get(name);
        if (cls == null) throw new IllegalArgumentException("unknown method '" + name + "'; known: " + names());
        try {
            return (Method) Class.forName(cls).getMethod("fromOptions", String.class, Options.class).invoke(null, name, o);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("method '" + name + "' is not available in this build");
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(cls + " must have public static Method fromOptions(String, Options)", e);
        }
    }
}
