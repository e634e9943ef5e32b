package dev.memtune.method;

import java.util.*;

/**
 * String options for a method (from the CLI {@code --opt key=value} or an experiment config), read
 * with typed getters that name the method and key on bad values; unknown keys are rejected.
 */
public final class Options {
    private final String method;
    private final Map<String, String> values;
    private final Set<String> read = new HashSet<>();

    public Options(String method, Map<String, String> values) {
        this.method = method;
        this.values = new LinkedHashMap<>(values);
    }

    public String str(String key, String def) { read.add(key); return values.getOrDefault(key, def); }

    public int integer(String key, int def) {
        String v = str(key, (String) null);
        if (v == null) return def;
        try { return Integer.parseInt(v.trim()); } catch (NumberFormatException e) { throw bad(key, v, "an integer"); }
    }

    public double number(String key, double def) {
        String v = str(key, (String) null);
        if (v == null) return def;
        try { return Double.parseDouble(v.trim()); } catch (NumberFormatException e) { throw bad(key, v, "a number"); }
    }

    /** A number, or null when absent (the method then picks its own default). */
    public Double optionalNumber(String key) {
        String v = str(key, (String) null);
        if (v == null) return null;
        try { return Double.parseDouble(v.trim()); } catch (NumberFormatException e) { throw bad(key, v, "a number"); }
    }

    public boolean bool(String key, boolean def) {
        String v = str(key, (String) null);
        if (v == null) return def;
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw bad(key, v, "true or false");
    }

    /** Comma-separated list, or null when absent. */
    public List<String> list(String key) {
        String v = str(key, (String) null);
        if (v == null) return null;
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) if (!s.isBlank()) out.add(s.trim());
        return out;
    }

    /** Comma-separated integers, or null when absent. */
    public List<Integer> ints(String key) {
        List<String> l = list(key);
        if (l == null) return null;
        List<Integer> out = new ArrayList<>();
        for (String s : l) {
            try { out.add(Integer.parseInt(s)); } catch (NumberFormatException e) { throw bad(key, values.get(key), "comma-separated integers"); }
        }
        return out;
    }

    // ---- readers that hand a present value to a config builder: defaults live in the builder only ----

    /** {@code set} gets the option's integer value when it is given. */
    public Options integer(String key, java.util.function.IntConsumer set) { if (has(key)) set.accept(integer(key, 0)); return this; }

    /** {@code set} gets the option's number when it is given. */
    public Options number(String key, java.util.function.DoubleConsumer set) { if (has(key)) set.accept(number(key, 0)); return this; }

    /** {@code set} gets the option's true/false when it is given. */
    public Options bool(String key, java.util.function.Consumer<Boolean> set) { if (has(key)) set.accept(bool(key, false)); return this; }

    /** {@code set} gets the option's text when it is given. */
    public Options str(String key, java.util.function.Consumer<String> set) { if (has(key)) set.accept(str(key, (String) null)); return this; }

    /** {@code set} gets the comma-separated list when it is given. */
    public Options list(String key, java.util.function.Consumer<List<String>> set) { if (has(key)) set.accept(list(key)); return this; }

    /** {@code set} gets the comma-separated integers when they are given. */
    public Options ints(String key, java.util.function.Consumer<List<Integer>> set) { if (has(key)) set.accept(ints(key)); return this; }

    private boolean has(String key) { read.add(key); return values.containsKey(key); }

    /** Call after reading: any key never read is a typo or belongs to another method. */
    public void rejectUnknown() {
        for (String k : values.keySet())
            if (!read.contains(k)) throw new IllegalArgumentException(method + ": unknown option '" + k + "' (known: " + read + ")");
    }

    private IllegalArgumentException bad(String key, String v, String what) {
        return new IllegalArgumentException(method + ": option '" + key + "' must be " + what + ", got '" + v + "'");
    }
}
