package dev.memtune.cli;

import java.util.Set;

/**
 * One {@code memtune <name>} sub-command. The application's command registry ({@code dev.memtune.app},
 * at the top of the house) names every implementation; {@link Dispatch} runs one; every command
 * answers {@code --help}.
 */
public interface Command {
    /** One line for {@code memtune --help}. */
    String summary();

    /** Full usage text printed by {@code memtune <name> --help}. */
    String usage();

    /** Options this command treats as booleans ({@code --force}); every other option takes a value. */
    default Set<String> flags() { return Set.of(); }

    /** Runs the command; the return value is the process exit status. */
    int run(Args args) throws Exception;
}
