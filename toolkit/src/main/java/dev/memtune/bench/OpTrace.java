package dev.memtune.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * Where a step's time goes, op by op: reads the Chrome trace that libtorch's profiler writes (DJL's
 * {@code JniUtils.startProfile/stopProfile}, the events {@code torch.profiler} records for Hugging Face) and sums
 * each op's self time (its duration less that of the ops it called, nested on the same thread), as
 * {@code torch.profiler}'s "Self CPU" column does.
 */
public final class OpTrace {
    private OpTrace() {}

    /** One op name's calls and times, in microseconds. */
    public record Op(String name, int calls, double selfUs, double totalUs) {}

    private record Event(String name, String thread, double ts, double dur) {}

    /** Ops by self time, largest first. */
    public static List<Op> summarize(Path trace) throws IOException {
        JsonElement root;
        try (Reader r = Files.newBufferedReader(trace)) { root = JsonParser.parseReader(r); }
        JsonArray events = root.isJsonArray() ? root.getAsJsonArray() : root.getAsJsonObject().getAsJsonArray("traceEvents");
        if (events == null) throw new IOException(trace + ": no trace events (expected a JSON array or an object with traceEvents)");
        Map<String, List<Event>> byThread = new HashMap<>();
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("ph") || !o.get("ph").getAsString().equals("X") || !o.has("dur")) continue;
            String thread = (o.has("pid") ? o.get("pid").getAsString() : "") + "/" + (o.has("tid") ? o.get("tid").getAsString() : "");
            byThread.computeIfAbsent(thread, k -> new ArrayList<>())
                    .add(new Event(o.get("name").getAsString(), thread, o.get("ts").getAsDouble(), o.get("dur").getAsDouble()));
        }
        Map<String, double[]> acc = new HashMap<>();                         // name -> {calls, self, total}
        for (List<Event> list : byThread.values()) {
            list.sort(Comparator.comparingDouble(Event::ts).thenComparing(Comparator.comparingDouble(Event::dur).reversed()));
            Deque<Event> stack = new ArrayDeque<>();
            Map<Event, Double> childTime = new IdentityHashMap<>();
            for (Event e : list) {
                while (!stack.isEmpty() && stack.peek().ts() + stack.peek().dur() <= e.ts()) stack.pop();
                if (!stack.isEmpty()) childTime.merge(stack.peek(), e.dur(), Double::sum);
                stack.push(e);
            }
            for (Event e : list) {
                double[] a = acc.computeIfAbsent(e.name(), k -> new double[3]);
                a[0]++;
                a[1] += e.dur() - childTime.getOrDefault(e, 0.0);
                a[2] += e.dur();
            }
        }
        List<Op> ops = new ArrayList<>();
        acc.forEach((n, a) -> ops.add(new Op(n, (int) a[0], a[1], a[2])));
        ops.sort(Comparator.comparingDouble(Op::selfUs).reversed());
        return ops;
    }

    /** The top {@code n} ops as a text table, with the sum of all self times. */
    public static String table(List<Op> ops, int n) {
        double all = ops.stream().mapToDouble(Op::selfUs).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-44s %7s %12s %7s %12s%n", "op", "calls", "self ms", "self %", "total ms"));
        for (Op o : ops.subList(0, Math.min(n, ops.size())))
            sb.append(String.format(Locale.ROOT, "%-44s %7d %12.1f %6.1f%% %12.1f%n", o.name().length() > 44 ? o.name().substring(0, 44) : o.name(),
                    o.calls(), o.selfUs() / 1e3, 100 * o.selfUs() / all, o.totalUs() / 1e3));
        sb.append(String.format(Locale.ROOT, "%-44s %7s %12.1f%n", "(all ops, self)", "", all / 1e3));
        return sb.toString();
    }
}
