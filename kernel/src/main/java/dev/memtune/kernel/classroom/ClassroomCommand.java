package dev.memtune.kernel.classroom;

import dev.memtune.cli.Args;
import dev.memtune.cli.Command;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code memtune classroom}: see {@link Classroom}. */
public final class ClassroomCommand implements Command {
    private final String entryPoint;

    /** {@code entryPoint}: the class the installed launcher runs, the application's main class. */
    public ClassroomCommand(String entryPoint) { this.entryPoint = entryPoint; }

    @Override public String summary() { return "prepare this machine for an offline class: kernel for all users, shared caches, memory limit"; }

    @Override public String usage() {
        return """
                usage: memtune classroom [--prefix /usr/local] [--shared-cache /var/cache/memtune] [--memory 2g]
                                         [--models NAME,...] [--tasks NAME,...] [--name memtune]

                Run once, as root, while the network is still there (only --models needs it). Writes:
                  PREFIX/share/memtune/lib/            the jars of this build
                  PREFIX/share/memtune/lessons/        notebooks/lessons/*.ipynb (read-only; students copy them)
                  PREFIX/bin/memtune                   the launcher every user runs (also what the kernel runs)
                  PREFIX/share/jupyter/kernels/NAME/   the kernelspec: every user's Jupyter (JupyterHub included)
                                                       finds it there (for a PREFIX other than /usr/local or /usr,
                                                       set JUPYTER_PATH=PREFIX/share/jupyter)
                  SHARED/engine/                       PyTorch's native library, extracted once for everyone
                  SHARED/models/NAME/                  --models: pretrained models (minilm-l6, bge-small,
                                                       bert-base); the lessons use tiny presets and need none
                  SHARED/data/TASK/                    --tasks: task files copied from $MEMTUNE_DATA (e.g. rte,sst2)
                Everything is made world-readable; nothing there is written during class.
                Each user's writable cache is ${XDG_CACHE_HOME:-~/.cache}/memtune (DJL's, and any model a
                student fetches later); MEMTUNE_USER_CACHE overrides it.
                Memory: each kernel (and each `memtune` run) gets a JVM heap of --memory (-Xmx; default 2g).
                A user may lower or raise it with MEMTUNE_KERNEL_MEMORY=1g; under JupyterHub, MEM_LIMIT (bytes,
                set by the spawner) caps it at half the limit, leaving the rest for native tensors.
                Prints a one-line summary.""";
    }

    @Override
    public int run(Args args) throws Exception {
        Path prefix = Path.of(args.get("prefix", "/usr/local"));
        Path shared = Path.of(args.get("shared-cache", "/var/cache/memtune"));
        String memory = args.get("memory", "2g");
        List<String> models = list(args.get("models", ""));
        List<String> tasks = list(args.get("tasks", ""));
        String name = args.get("name", "memtune");
        args.rejectUnknown();
        if (!args.positional().isEmpty()) throw new IllegalArgumentException("memtune classroom: unexpected argument " + args.positional().get(0) + " (see --help)");
        Classroom.Result r = new Classroom(prefix, shared, memory, name).launching(entryPoint).install(models, tasks);
        System.out.println(r.summary());
        return 0;
    }

    private static List<String> list(String csv) {
        return csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
