package dev.memtune.cli;

import java.util.*;
import java.util.function.Supplier;

/**
 * Runs one command of a registry it is given: {@code argv[0]} names the command, the rest are its
 * {@link Args}. Errors in the arguments ({@link IllegalArgumentException}) print their message and
 * exit 2; other failures print one line (the stack trace with {@code MEMTUNE_DEBUG} set) and exit 1.
 * The registry itself lives with the application entry point, above every package that owns a command.
 */
public final class Dispatch {
    private Dispatch() {}

    public static int run(Map<String, Supplier<Command>> commands, String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            System.out.println(help(commands));
            return argv.length == 0 ? 2 : 0;
        }
        String name = argv[0];
        Supplier<Command> make = commands.get(name);
        if (make == null) {
            System.err.println("memtune: unknown command '" + name + "'\n\n" + help(commands));
            return 2;
        }
        Command cmd = make.get();
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
            System.out.println(cmd.usage());
            return 0;
        }
        try {
            return cmd.run(new Args(name, rest, cmd.flags()));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("memtune " + name + ": " + e);
            if (System.getenv("MEMTUNE_DEBUG") != null) e.printStackTrace();
            return 1;
        }
    }

    public static String help(Map<String, Supplier<Command>> commands) {
        StringBuilder sb = new StringBuilder("memtune: memory-efficient fine-tuning toolkit\n\nusage: reproduce/memtune <command> [options]   (every command takes --help)\n\ncommands:\n");
        commands.forEach((name, make) -> sb.append(String.format("  %-16s %s%n", name, make.get().summary())));
        return sb.toString();
    }
}
