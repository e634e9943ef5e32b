package dev.memtune.profile;

import ai.djl.engine.EngineException;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Entry point of the profiler's child JVM: {@code ProfileChild '<workload json>' steps dtype}.
 * Prints one line {@code MEMTUNE_PROFILE <result json>}; an allocation failure is reported as
 * {@code oom}, anything else as {@code failed} with the exception.
 */
public final class ProfileChild {
    static final String MARK = "MEMTUNE_PROFILE ";

    private ProfileChild() {}

    public static void main(String[] argv) {
        JsonObject spec = JsonParser.parseString(argv[0]).getAsJsonObject();
        Workload w = Workload.fromJson(spec);
        int steps = Integer.parseInt(argv[1]);
        String dtype = argv[2];
        ProfileResult r;
        try {
            r = Measurement.run(w, steps, dtype);
        } catch (OutOfMemoryError e) {
            r = ProfileResult.failure(w, steps, dtype, "oom", "JVM heap exhausted: " + e.getMessage());
        } catch (EngineException e) {
            String msg = String.valueOf(e.getMessage());
            boolean oom = msg.contains("allocate") || msg.contains("out of memory") || msg.contains("Out of memory");
            r = ProfileResult.failure(w, steps, dtype, oom ? "oom" : "failed", firstLine(msg));
        } catch (RuntimeException e) {
            r = ProfileResult.failure(w, steps, dtype, "failed", e.getClass().getSimpleName() + ": " + firstLine(String.valueOf(e.getMessage())));
        }
        System.out.println(MARK + r.json());
        System.out.flush();
        System.exit(0);
    }

    static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
