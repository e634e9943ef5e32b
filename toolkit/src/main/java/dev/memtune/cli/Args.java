package dev.memtune.cli;

import java.util.*;

/**
 * Command-line arguments: {@code --key value}, {@code --key=value}, boolean {@code --flag}, and
 * positionals. Unknown options are an error that names the option, so typos never pass silently.
 */
public final class Args {
    private final String command;
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> used = new HashSet<>();

    public Args(String command, String[] argv, Set<String> flags) {
        this.command = command;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--")) { positional.addAll(Arrays.asList(argv).subList(i + 1, argv.length)); break; }
            if (a.startsWith("--") && a.length() > 2) {
                String key = a.substring(2), value;
                int eq = key.indexOf('=');
                if (eq >= 0) { value = key.substring(eq + 1); key = key.substring(0, eq); }
                else if (flags.contains(key)) value = "true";
                else if (i + 1 < argv.length) value = argv[++i];
                else throw new IllegalArgumentException("memtune " + command + ": option --" + key + " needs a value");
                options.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            } else positional.add(a);
        }
    }

    public String command() { return command; }
    public List<String> positional() { return positional; }
    public boolean has(String key) { used.add(key); return options.containsKey(key); }
    public boolean flag(String key) { used.add(key); return options.containsKey(key) && !"false".equals(last(key)); }

    public String get(String key, String def) { used.add(key); return options.containsKey(key) ? last(key) : def; }
    public List<String> all(String key) { used.add(key); return options.getOrDefault(key, List.of()); }

    public String require(String key) {
        used.add(key);
        if (!options.containsKey(key)) throw new IllegalArgumentException("memtune " + command + ": missing required option --" + key);
        return last(key);
    }

    public int getInt(String key, int def) {
        String v = get(key, null);
        if (v == null) return def;
        try { return Integer.parseInt(v); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("memtune " + command + ": --" + key + " expects an integer, got '" + v + "'"); }
    }

    public double getDouble(String key, double def) {
        String v = get(key, null);
        if (v == null) return def;
        try { return Double.parseDouble(v); }
        catch (NumberFormatException e) { throw new IllegalArgumentException("memtune " + command + ": --" + key + " expects a number, got '" + v + "'"); }
    }

    /** Call after reading every option: rejects options the command never asked about. */
    public void rejectUnknown() {
        for (String k : options.keySet())
            if (!used.contains(k)) throw new IllegalArgumentException("memtune " + command + ": unknown option --" + k + " (see memtune " + command + " --help)");
    }

    private String last(String key) { List<String> v = options.get(key); return v.get(v.size() - 1); }
}
