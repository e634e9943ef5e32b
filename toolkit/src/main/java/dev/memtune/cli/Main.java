package dev.memtune.cli;

import java.util.*;

/** Entry point of {@code reproduce/memtune}: dispatches to the sub-commands listed here. */
public final class Main {
    /** Command name to implementing class; classes live in the package that owns the feature. */
    static final Map<String, String> COMMANDS = new LinkedHashMap<>();
    static {
        COMMANDS.put("backbones", "dev.memtune.backbone.BackbonesCommand");
        COMMANDS.put("verify-backbone", "dev.memtune.backbone.VerifyBackboneCommand");
        COMMANDS.put("methods", "dev.memtune.method.MethodsCommand");
        COMMANDS.put("fetch-model", "dev.memtune.hub.FetchModelCommand");
        COMMANDS.put("fetch-data", "dev.memtune.data.FetchDataCommand");
        COMMANDS.put("metrics", "dev.memtune.metrics.MetricsCommand");
        COMMANDS.put("train", "dev.memtune.train.TrainCommand");
        COMMANDS.put("profile", "dev.memtune.profile.ProfileCommand");
        COMMANDS.put("bench", "dev.memtune.bench.BenchCommand");
        COMMANDS.put("kernel", "dev.memtune.kernel.KernelCommand");
        COMMANDS.put("run", "dev.memtune.kernel.runner.RunCommand");
        COMMANDS.put("report", "dev.memtune.report.ReportCommand");
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    public static int run(String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            System.out.println(help());
            return argv.length == 0 ? 2 : 0;
        }
        String name = argv[0];
        Command cmd = load(name);
        if (cmd == null) {
            System.err.println("memtune: unknown command '" + name + "'\n\n" + help());
            return 2;
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
            System.out.println(cmd.usage());
            return 0;
        }
        try {
            return cmd.run(new Args(name, rest, flagsOf(cmd)));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("memtune " + name + ": " + e);
            if (System.getenv("MEMTUNE_DEBUG") != null) e.printStackTrace();
            return 1;
        }
    }

    /** Options a command treats as booleans, declared by a {@code FLAGS} static field if present. */
    @SuppressWarnings("unchecked")
    private static Set<String> flagsOf(Command cmd) {
        try {
            return (Set<String>) cmd.getClass().getField("FLAGS").get(null);
        } catch (ReflectiveOperationException e) {
            return Set.of();
        }
    }

    static Command load(String name) {
        String cls = COMMANDS.get(name);
        if (cls == null) return null;
        try {
            return (Command) Class.forName(cls).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create command " + name + " (" + cls + ")", e);
        }
    }

    static String help() {
        StringBuilder sb = new StringBuilder("memtune: memory-efficient fine-tuning toolkit\n\nusage: reproduce/memtune <command> [options]   (every command takes --help)\n\ncommands:\n");
        for (String name : COMMANDS.keySet()) {
            Command c;
            try { c = load(name); } catch (RuntimeException e) { c = null; }
            if (c != null) sb.append(String.format("  %-16s %s%n", name, c.summary()));
        }
        return sb.toString();
    }
}
