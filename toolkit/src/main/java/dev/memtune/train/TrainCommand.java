package dev.memtune.train;

import dev.memtune.sys.Project;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;
import dev.memtune.progress.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/** {@code memtune train}: runs experiments from a config file and writes their result JSON. */
public final class TrainCommand implements Command {
    @Override
    public java.util.Set<String> flags() { return java.util.Set.of("resume", "force"); }

    @Override
    public String summary() { return "train one experiment config on its tasks and seeds, write result JSON"; }

    @Override
    public String usage() {
        return """
                usage: memtune train --config FILE | --backbone B --method M  [--task T] [--seed S] [--scale smoke|cpu|paper]
                                     [--resume] [--force] [--out DIR] [--set key.path=value ...]

                Runs the experiment of a config file (reproduce/configs/<table>/...json) for every task
                and seed it lists, or only --task / --seed. Results go to
                DIR/results/<table>/<config-id>/<task>/seed<k>.json (DIR: reproduce/out); an existing
                result with the same settings is reused unless --force. --resume continues an
                interrupted run from its checkpoint in DIR/checkpoints/ (one written with other train
                settings is moved aside to <its folder>.stale-<time>, and the run starts afresh).
                --set overrides a setting, e.g. --set train.learning_rate=1e-4
                --set method_options.r=16 --set backbone=bert-base.
                Progress goes to stderr; the summary of each run to stdout.

                --backbone B --method M stands for --config reproduce/configs/glue/B/M.json.

                example: reproduce/memtune train --config reproduce/configs/glue/minilm-l6/lora.json --task rte --scale cpu
                         reproduce/memtune train --backbone minilm-l6 --method lora --task rte
                """;
    }

    /** {@code --backbone B --method M} without {@code --config}: the GLUE config {@code glue/B/M.json}. */
    private static Path shortcut(Args a) {
        if (!a.has("backbone") || !a.has("method"))
            throw new IllegalArgumentException("memtune train: give --config FILE, or --backbone and --method (uses reproduce/configs/glue/<backbone>/<method>.json)");
        Path root = Project.reproduce("configs", "glue");
        Path p = root.resolve(a.get("backbone", null)).resolve(a.get("method", null) + ".json");
        if (!Files.isRegularFile(p)) {
            List<String> known = new ArrayList<>();
            try (var s = Files.walk(root)) { s.filter(f -> f.toString().endsWith(".json") && !f.getFileName().toString().equals("base.json")).forEach(f -> known.add(root.relativize(f).toString())); }
            catch (java.io.IOException e) { /* listed as empty */ }
            throw new IllegalArgumentException("memtune train: no config " + p + "; GLUE configs: " + known);
        }
        return p;
    }

    @Override
    public int run(Args a) {
        Path config = a.has("config") ? Path.of(a.get("config", null)) : shortcut(a);
        if (!Files.isRegularFile(config)) throw new IllegalArgumentException("memtune train: config file " + config + " does not exist");
        String scale = a.get("scale", "cpu");
        Experiments.RunOptions o = Experiments.RunOptions.defaults().withResume(a.flag("resume")).withForce(a.flag("force"));
        if (a.has("out")) o = o.withOut(Path.of(a.get("out", null)));
        Map<String, String> sets = new LinkedHashMap<>();
        for (String s : a.all("set")) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("memtune train: --set expects key.path=value, got '" + s + "'");
            sets.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
        }
        o = o.withSets(sets);
        ExperimentConfig cfg = ExperimentConfig.load(config);
        List<String> tasks = a.has("task") ? List.of(a.get("task", null)) : cfg.tasks(scale);
        List<Integer> seeds = a.has("seed") ? List.of(a.getInt("seed", 42)) : cfg.seeds(scale);
        a.rejectUnknown();
        if (tasks.isEmpty()) throw new IllegalArgumentException(config + ": lists no tasks; pass --task");
        ProgressLine line = ProgressLine.stderr();
        Progress.addListener(line);
        Thread main = Thread.currentThread();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {                              // Ctrl-C / SIGTERM: interrupt, let the loop write its checkpoint
            main.interrupt();
            try { done.await(120, java.util.concurrent.TimeUnit.SECONDS); } catch (InterruptedException ignored) { /* exit anyway */ }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (String t : tasks)
                for (int s : seeds) {
                    ExperimentResult r = Experiments.run(config, t, s, scale, o);
                    System.out.printf("%s/%s %s seed %d: validation %.4f test %.4f (%s) trainable %d  %.0f s  -> %s%n",
                            cfg.table, cfg.id, t, s, r.bestValidationScore(), r.testScore(), r.json().getAsJsonObject("test"),
                            r.trainableParams(), r.wallSeconds(), r.file());
                }
            return 0;
        } catch (Progress.InterruptedWork e) {
            System.err.println("memtune train: interrupted; rerun with --resume to continue");
            return 130;
        } finally {
            done.countDown();
            Progress.removeListener(line);
            try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException ignored) { /* shutting down */ }
        }
    }
}
