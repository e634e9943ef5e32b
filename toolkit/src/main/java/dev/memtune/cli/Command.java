package dev.memtune.cli;

/**
 * One {@code memtune <name>} sub-command. Implementations have a public no-argument constructor and
 * are listed by class name in {@link Main#COMMANDS}; every command answers {@code --help}.
 */
public interface Command {
    /** One line for {@code memtune --help}. */
    String summary();

    /** Full usage text printed by {@code memtune <name> --help}. */
    String usage();

    /** Runs the command; the return value is the process exit status. */
    int run(Args args) throws Exception;
}
