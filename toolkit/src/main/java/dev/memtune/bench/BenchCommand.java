package dev.memtune.bench;

import ai.djl.ndarray.types.DataType;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;
import dev.memtune.methods.Methods;
import dev.memtune.profile.Workload;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code memtune bench}: matmul roof, then each method's training step: tokens/s, FLOPs, GFLOP/s, MFU. */
public final class BenchCommand implements Command {
    @Override
    public java.util.Set<String> flags() { return java.util.Set.of("no-roof", "no-phases", "all-positions"); }

    public String summary() { return "training-step throughput per method: roof, tokens/s, model FLOPs, MFU; fp16 probe"; }

    public String usage() {
        return """
                usage: memtune bench [--backbone bert-base] [--methods all|m1,m2] [--batch 16] [--seq 128] [--dtype fp32|fp16]
                             [--steps 3] [--warmup 1] [--roof-n 2048] [--no-roof] [--no-phases] [--all-positions]
                             [--out FILE] [--trace FILE]
                  Measures in this process: the fp32 and fp16 matmul roof (GFLOP/s of n x n products through DJL; the
                  size grows until a product takes 0.3 s), then for each method warm-up steps and --steps timed
                  training steps (AdamW): median, min, max, tokens/s, model FLOPs per step (matmuls of the forward and of
                  the backward the method needs, attention included), achieved GFLOP/s and MFU = GFLOP/s / fp32 roof.
                  --dtype fp16 runs the precision probe (fp16 mixed-precision forward+backward of a BERT FFN
                  projection against fp32) instead of model steps: the models run fp32 only (see the report).
                  A head that pools the first token lets BERT's last layer run for that token only, as training does;
                  --all-positions computes every position of every layer, as Hugging Face's model does (like for like).
                  With full among the methods, also times the phases of its step (zero grads, forward, backward, release of the step's tensors, clip, AdamW).
                  Prints a table and JSON (--out writes the JSON). --trace FILE: one more full fine-tuning step (the first
                  method's when full is not among them) under libtorch's profiler: its Chrome trace goes to FILE and the
                  ops that took the most self time are printed (compare with reproduce/hf_bench.py --trace).""";
    }

    public int run(Args a) throws Exception {
        if (!a.positional().isEmpty()) throw new IllegalArgumentException("memtune bench: unexpected argument '" + a.positional().get(0) + "' (the kernel's benchmark is 'memtune kernel bench')");
        String backbone = a.get("backbone", "bert-base");
        String methodsArg = a.get("methods", "all");
        int batch = a.getInt("batch", 16), seq = a.getInt("seq", 128), steps = a.getInt("steps", 3), warmup = a.getInt("warmup", 1);
        int roofN = a.getInt("roof-n", 2048);
        String dtype = a.get("dtype", "fp32");
        boolean noRoof = a.flag("no-roof"), noPhases = a.flag("no-phases"), firstToken = !a.flag("all-positions");
        String out = a.get("out", null), trace = a.get("trace", null);
        a.rejectUnknown();
        if (!dtype.equals("fp32") && !dtype.equals("fp16")) throw new IllegalArgumentException("memtune bench: --dtype must be fp32 or fp16, got '" + dtype + "'");
        List<String> methods = methodsArg.equals("all") ? Methods.names() : List.of(methodsArg.split(","));
        for (String m : methods) if (!Methods.available(m)) throw new IllegalArgumentException("memtune bench: unknown or unavailable method '" + m + "'; known: " + Methods.names());
        JsonObject json = new JsonObject();
        json.addProperty("threads", Runtime.getRuntime().availableProcessors());
        json.addProperty("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        json.addProperty("dropout_masks", dev.memtune.nn.KeepMask.source());
        json.addProperty("first_token_last_layer", firstToken);
        System.out.println("last layer: " + (firstToken ? "first token only where the head pools it (--all-positions: every position)" : "every position (--all-positions)"));
        System.out.println("dropout masks: " + json.get("dropout_masks").getAsString() + " (-Dmemtune.dropout_masks=memtune|torch)");
        double roof32 = Double.NaN;
        if (!noRoof) {
            JsonArray roofs = new JsonArray();
            for (DataType t : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
                log("roof " + Roofline.name(t) + " ...");
                Roofline.Roof r = Roofline.measure(t, roofN, 0.3, 3);
                System.out.printf("roof %-5s n=%5d  %8.4f s/product  %8.2f GFLOP/s%n", r.dtype(), r.n(), r.seconds(), r.gflops());
                if (t == DataType.FLOAT32) roof32 = r.gflops();
                JsonObject o = new JsonObject();
                o.addProperty("dtype", r.dtype()); o.addProperty("n", r.n()); o.addProperty("seconds", r.seconds()); o.addProperty("gflops", r.gflops());
                roofs.add(o);
            }
            json.add("roof", roofs);
        }
        if (dtype.equals("fp16")) {
            log("fp16 probe ...");
            PrecisionProbe.Probe p = PrecisionProbe.run(256, 768, 3072, 2);
            System.out.printf("fp16 mixed precision probe (%d tokens, %d -> %d linear, fwd+bwd): fp32 %.3f s, fp16 %.3f s, speed-up %.3fx, grad rel. error %.2e%n",
                    p.tokens(), p.in(), p.out(), p.fp32Seconds(), p.fp16Seconds(), p.speedup(), p.maxGradRelErr());
            json.add("fp16_probe", new com.google.gson.Gson().toJsonTree(p));
            if (p.speedup() < 1) System.out.println("fp16 is slower than fp32 on this CPU: --dtype fp16 is not offered for training steps.");
        } else {
            System.out.printf("%n%-8s %9s %9s %9s %10s %12s %9s %7s%n", "method", "median s", "min s", "max s", "tokens/s", "GFLOP/step", "GFLOP/s", "MFU");
            JsonArray rows = new JsonArray();
            for (String m : methods) {
                log("bench " + m + " ...");
                Workload w = Workload.of(backbone, m, batch, seq);
                StepBench.Result r = StepBench.run(w, warmup, steps, roof32, firstToken);
                System.out.printf("%-8s %9.3f %9.3f %9.3f %10.1f %12.2f %9.2f %6.1f%%%n", m, r.median(), r.min(), r.max(), r.tokensPerSecond(),
                        r.flops() / 1e9, r.gflops(), 100 * r.mfu());
                rows.add(r.toJson());
            }
            json.add("steps", rows);
            if (methods.contains("full") && !noPhases) {
                log("phases of the full fine-tuning step ...");
                StepBench.Phases ph = StepBench.phases(Workload.of(backbone, "full", batch, seq), warmup, steps, firstToken);
                double tot = ph.total();
                System.out.printf("%nfull fine-tuning step, where the time goes: zero grads %.3f s (%.0f%%), forward+loss %.3f s (%.0f%%), backward %.3f s (%.0f%%), "
                                + "release %.3f s (%.0f%%), clip %.3f s (%.0f%%), AdamW %.3f s (%.0f%%); sum %.3f s%n",
                        ph.zeroGrad(), 100 * ph.zeroGrad() / tot, ph.forward(), 100 * ph.forward() / tot, ph.backward(), 100 * ph.backward() / tot,
                        ph.release(), 100 * ph.release() / tot, ph.clip(), 100 * ph.clip() / tot, ph.optimizer(), 100 * ph.optimizer() / tot, tot);
                json.add("full_phases", new com.google.gson.Gson().toJsonTree(ph));
            }
        }
        if (trace != null && !dtype.equals("fp16")) {
            String m = methods.contains("full") ? "full" : methods.get(0);
            log("trace of one " + m + " step ...");
            StepBench.trace(Workload.of(backbone, m, batch, seq), warmup, Path.of(trace), firstToken);
            List<OpTrace.Op> ops = OpTrace.summarize(Path.of(trace));
            System.out.printf("%n%s step, ops by self time (libtorch profiler, trace in %s):%n%s", m, trace, OpTrace.table(ops, 25));
        }
        String text = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(json);
        if (out != null) Files.writeString(Path.of(out), text + "\n"); else System.out.println(text);
        return 0;
    }

    private static void log(String msg) {
        System.err.println(msg);
        Progress.report(ProgressEvent.message("bench", msg));
    }
}
