package dev.memtune.app;

import dev.memtune.backbones.BackbonesCommand;
import dev.memtune.backbones.VerifyBackboneCommand;
import dev.memtune.bench.BenchCommand;
import dev.memtune.cli.Command;
import dev.memtune.cli.Dispatch;
import dev.memtune.cli.NamedCommand;
import dev.memtune.data.FetchDataCommand;
import dev.memtune.hub.FetchModelCommand;
import dev.memtune.kernel.KernelCommand;
import dev.memtune.kernel.classroom.ClassroomCommand;
import dev.memtune.kernel.runner.RunCommand;
import dev.memtune.methods.MethodsCommand;
import dev.memtune.scoring.MetricsCommand;
import dev.memtune.profile.ProfileCommand;
import dev.memtune.report.ReportCommand;
import dev.memtune.tables.ResultsCommand;
import dev.memtune.train.TrainCommand;

import java.util.*;
import java.util.function.Supplier;

/**
 * Entry point of {@code reproduce/memtune}, at the top of the house: the one registry of commands.
 * Each package that owns a feature owns its {@link Command}; this class is the only place that
 * names them all. Modules built on top of this one (the Spark sweep) add theirs as
 * {@link NamedCommand}s found through {@link ServiceLoader}.
 */
public final class Main {
    private Main() {}

    /** Every command, in the order {@code memtune --help} lists them. */
    public static Map<String, Supplier<Command>> commands() {
        Map<String, Supplier<Command>> c = new LinkedHashMap<>();
        c.put("backbones", BackbonesCommand::new);
        c.put("verify-backbone", VerifyBackboneCommand::new);
        c.put("methods", MethodsCommand::new);
        c.put("fetch-model", FetchModelCommand::new);
        c.put("fetch-data", FetchDataCommand::new);
        c.put("metrics", MetricsCommand::new);
        c.put("train", TrainCommand::new);
        c.put("profile", ProfileCommand::new);
        c.put("bench", BenchCommand::new);
        c.put("kernel", KernelCommand::new);
        c.put("run", RunCommand::new);
        c.put("classroom", () -> new ClassroomCommand(Main.class.getName()));
        c.put("report", ReportCommand::new);
        c.put("results", ResultsCommand::new);
        for (NamedCommand extra : ServiceLoader.load(NamedCommand.class)) c.put(extra.name(), () -> newInstance(extra));
        return c;
    }

    private static Command newInstance(Command prototype) {
        try {
            return prototype.getClass().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create command " + prototype.getClass().getName(), e);
        }
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    public static int run(String[] argv) {
        return Dispatch.run(commands(), argv);
    }
}
