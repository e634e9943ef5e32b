package dev.memtune.profile;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code memtune profile}: peak memory of training steps in a fresh JVM, beside the analytic model; or a paper table. */
public final class ProfileCommand implements Command {
    public String summary() { return "peak memory of training steps (fresh JVM) with breakdown and analytic model; paper tables"; }

    public String usage() {
        return """
                usage: memtune profile --backbone B --method M --batch N --seq L [--steps K] [--dtype fp32]
                                       [--task classification|lm] [--dec-seq D] [--layers N] [--xmx 768m] [--max-rss GB] [--set-to-none] [--out FILE]
                       memtune profile --table lst-t5 [--batch 100]  |  --table meft-bert [--batch 8 --seq 512]
                  --steps    training steps, >= 2: the first is warm-up, the peak is over the rest (default 3)
                  --task     classification (2 labels, default) or lm (T5/OPT text-to-text; T5 gets --dec-seq decoder tokens, default 8)
                  --layers   use only the first N layers' worth of the preset (depth studies); 0 = preset
                  --set-to-none  drop gradients at each step's start (PyTorch 2's and HF's zero_grad(set_to_none=True), as
                             training does): they then live from the backward to the update and count in activations;
                             default: zeroed in place (PyTorch 1's zero_grad(), the papers' runs), counted as static
                  --xmx      the child JVM's heap cap (reported apart; tensors live outside the heap)
                  --max-rss  kill the child above this resident size, reported as out-of-memory (default MemAvailable - 1.5 GiB, at least 85% of it)
                Each run is a fresh child JVM (glibc told to return freed blocks: MALLOC_MMAP_THRESHOLD_=65536).
                Prints JSON: peak (VmHWM over the measured steps), baseline_rss (before the model), static_rss
                (before the measured steps), weights, grads, optimizer (tensor bytes), activations = peak - static_rss,
                step time, tokens/s, and the analytic estimate with its difference.""";
    }

    public java.util.Set<String> flags() { return java.util.Set.of("set-to-none"); }

    public int run(Args a) throws Exception {
        String table = a.get("table", null);
        MemoryProfiler.Builder pb = MemoryProfiler.builder().optSteps(a.getInt("steps", table == null ? 3 : 2))
                .optDtype(a.get("dtype", "fp32")).optXmx(a.get("xmx", "768m"))
                .optSetToNone(a.flag("set-to-none"));
        if (a.has("max-rss")) pb.optMaxRss((long) (a.getDouble("max-rss", 0) * 1024 * 1024 * 1024));
        String outFile = a.get("out", null);
        if (table != null) {
            int batch = a.getInt("batch", table.equals("lst-t5") ? 100 : 8);
            int seq = a.getInt("seq", 512);
            a.rejectUnknown();
            MemoryProfiler p = pb.build();
            long t0 = System.nanoTime();
            List<ProfileResult> rs = switch (table) {
                case "lst-t5" -> PaperSettings.lstT5(p, batch, List.of(64, 48, 32, 16, 8), System.out, ProfileCommand::log);
                case "meft-bert" -> PaperSettings.meftBert(p, batch, seq, System.out, ProfileCommand::log);
                default -> throw new IllegalArgumentException("memtune profile: unknown --table '" + table + "' (lst-t5, meft-bert)");
            };
            System.out.printf("(machine time: %.1f min)%n", (System.nanoTime() - t0) / 6e10);
            if (outFile != null) write(outFile, rs, p.setToNone());
            return 0;
        }
        Workload w = new Workload(a.require("backbone"), a.require("method"), a.getInt("batch", 8), a.getInt("seq", 128),
                a.get("task", "classification"), a.getInt("dec-seq", 8), a.getInt("layers", 0), a.getInt("seed", 42));
        a.rejectUnknown();
        w.config();                                                  // unknown preset: user error now, not in the child
        if (!dev.memtune.methods.Methods.available(w.method()))
            throw new IllegalArgumentException("memtune profile: unknown or unavailable --method '" + w.method() + "'; known: " + dev.memtune.methods.Methods.names());
        MemoryProfiler prof = pb.build();
        ProfileResult r = prof.profile(w);
        String json = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(annotated(r, prof.setToNone()));
        System.out.println(json);
        if (outFile != null) Files.writeString(Path.of(outFile), json + "\n");
        return r.ok() ? 0 : r.status().equals("oom") ? 3 : 1;
    }

    private static void write(String file, List<ProfileResult> rs, boolean setToNone) throws java.io.IOException {
        JsonArray arr = new JsonArray();
        for (ProfileResult r : rs) arr.add(annotated(r, setToNone));
        Files.writeString(Path.of(file), new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(arr) + "\n");
    }

    /** The result's JSON with how its steps treated gradients and drew dropout masks. */
    private static com.google.gson.JsonObject annotated(ProfileResult r, boolean setToNone) {
        com.google.gson.JsonObject o = r.toJson();
        o.addProperty("set_to_none", setToNone);
        o.addProperty("dropout_masks", dev.memtune.nn.KeepMask.source());
        return o;
    }

    private static void log(String msg) {
        System.err.println(msg);
        Progress.report(ProgressEvent.message("profile", msg));
    }

}
