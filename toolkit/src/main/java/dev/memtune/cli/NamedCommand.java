package dev.memtune.cli;

/**
 * A command contributed by a module built on top of the application (the Spark sweep): it carries its
 * own name and is found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.memtune.cli.NamedCommand} in that module's jar).
 */
public interface NamedCommand extends Command {
    /** The word after {@code memtune}. */
    String name();
}
