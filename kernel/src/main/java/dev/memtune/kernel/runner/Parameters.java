package dev.memtune.kernel.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Papermill-style parameters for Java notebooks: {@code --param key=value} becomes a Java
 * declaration in a cell tagged {@code injected-parameters} placed after the cell tagged
 * {@code parameters}. The type is the one the parameters cell declares for that name when it is
 * {@code int, long, double, float, boolean} or {@code String}; otherwise it is inferred from the
 * literal (int, long, double, boolean, else String).
 */
public final class Parameters {
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Pattern INT = Pattern.compile("[-+]?\\d+");
    private static final Pattern DOUBLE = Pattern.compile("[-+]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][-+]?\\d+)?|[-+]?(NaN|Infinity)");

    private Parameters() {}

    /** Java source declaring each parameter; {@code parametersCell} may be empty. */
    public static String declarations(Map<String, String> params, String parametersCell) {
        List<String> lines = new ArrayList<>();
        lines.add("// Injected parameters");
        for (var e : params.entrySet()) {
            String name = e.getKey();
            if (!IDENT.matcher(name).matches()) throw new IllegalArgumentException("--param " + name + "=...: '" + name + "' is not a Java identifier");
            String type = declaredType(parametersCell, name);
            if (type == null) type = inferType(e.getValue());
            lines.add(type + " " + name + " = " + literal(type, e.getValue(), name) + ";");
        }
        return String.join("\n", lines);
    }

    /** The type the parameters cell gives {@code name}, if it is one we can write a literal for. */
    static String declaredType(String cell, String name) {
        Matcher m = Pattern.compile("(?m)\\b(int|long|double|float|boolean|String|var)\\s+" + Pattern.quote(name) + "\\s*=").matcher(cell);
        return m.find() && !m.group(1).equals("var") ? m.group(1) : null;
    }

    static String inferType(String v) {
        if (INT.matcher(v).matches()) {
            try { Integer.parseInt(v); return "int"; } catch (NumberFormatException e) { /* wider */ }
            try { Long.parseLong(v); return "long"; } catch (NumberFormatException e) { return "String"; }
        }
        if (DOUBLE.matcher(v).matches()) return "double";
        if (v.equals("true") || v.equals("false")) return "boolean";
        return "String";
    }

    static String literal(String type, String v, String name) {
        String bad = "--param " + name + "=" + v + ": not a valid " + type;
        switch (type) {
            case "int": try { return Integer.toString(Integer.parseInt(v)); } catch (NumberFormatException e) { throw new IllegalArgumentException(bad); }
            case "long": try { return Long.parseLong(v) + "L"; } catch (NumberFormatException e) { throw new IllegalArgumentException(bad); }
            case "double": case "float":
                double d;
                try { d = Double.parseDouble(v); } catch (NumberFormatException e) { throw new IllegalArgumentException(bad); }
                String s = Double.isNaN(d) ? "Double.NaN" : Double.isInfinite(d) ? (d > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY") : Double.toString(d);
                return type.equals("float") ? "(float) " + s : s;
            case "boolean":
                if (!v.equals("true") && !v.equals("false")) throw new IllegalArgumentException(bad + " (true or false)");
                return v;
            default: return quote(unquote(v));
        }
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) return v.substring(1, v.length() - 1);
        return v;
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> { if (c < 0x20) sb.append(String.format("\\u%04x", (int) c)); else sb.append(c); }
            }
        }
        return sb.append('"').toString();
    }
}
