package dev.memtune.kernel;

import dev.memtune.cli.Args;
import dev.memtune.cli.Command;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code memtune kernel install|start}: installs the Jupyter kernelspec, or runs the kernel. */
public final class KernelCommand implements Command {
    @Override
    public java.util.Set<String> flags() { return java.util.Set.of("user", "sys-prefix"); }

    @Override public String summary() { return "install the Jupyter kernel \"Java (memtune)\" or start it on a connection file"; }

    @Override public String usage() {
        return """
                usage: memtune kernel install [--user | --prefix P | --sys-prefix] [--name memtune] [--java-opts "-Xmx6g"]
                       memtune kernel start CONNECTION_FILE
                       memtune kernel bench [--cells 50]

                install   writes kernels/<name>/kernel.json into a Jupyter data directory:
                            --user        ~/.local/share/jupyter (or $JUPYTER_DATA_DIR)
                            --prefix P    P/share/jupyter (then run Jupyter with JUPYTER_PATH=P/share/jupyter)
                            --sys-prefix  $VIRTUAL_ENV or $CONDA_PREFIX, else /usr, + /share/jupyter
                            (default)     /usr/local/share/jupyter
                          The spec runs this JVM's java with its class path, -Dai.djl.offline=true
                          and interrupt_mode "message"; `jupyter kernelspec list` then shows it.
                start     runs the kernel (what kernel.json invokes).
                bench     starts a kernel and prints start-to-first-result and trivial-cell round trip.""";
    }

    @Override
    public int run(Args args) throws Exception {
        List<String> pos = args.positional();
        if (pos.isEmpty()) throw new IllegalArgumentException("memtune kernel: give a subcommand: install or start (see --help)");
        switch (pos.get(0)) {
            case "install" -> { return install(args); }
            case "start" -> {
                args.rejectUnknown();
                if (pos.size() != 2) throw new IllegalArgumentException("memtune kernel start: give the connection file");
                MemtuneKernel.run(Path.of(pos.get(1)));
                return 0;
            }
            case "bench" -> {
                int cells = args.getInt("cells", 50);
                args.rejectUnknown();
                if (cells < 1) throw new IllegalArgumentException("memtune kernel bench: --cells must be >= 1");
                System.out.println(KernelBench.run(cells).text());
                return 0;
            }
            default -> throw new IllegalArgumentException("memtune kernel: unknown subcommand '" + pos.get(0) + "' (install, start, bench)");
        }
    }

    private int install(Args args) throws Exception {
        boolean user = args.flag("user"), sys = args.flag("sys-prefix");
        String prefix = args.get("prefix", null);
        String name = args.get("name", KernelSpec.DEFAULT_NAME);
        String opts = args.get("java-opts", "-Xmx6g");
        args.rejectUnknown();
        if ((user ? 1 : 0) + (sys ? 1 : 0) + (prefix != null ? 1 : 0) > 1)
            throw new IllegalArgumentException("memtune kernel install: choose one of --user, --prefix, --sys-prefix");
        Path dataDir;
        if (user) {
            String d = System.getenv("JUPYTER_DATA_DIR");
            dataDir = d != null ? Path.of(d) : Path.of(System.getProperty("user.home"), ".local", "share", "jupyter");
        } else if (prefix != null) dataDir = Path.of(prefix).toAbsolutePath().resolve("share/jupyter");
        else if (sys) {
            String venv = System.getenv("VIRTUAL_ENV") != null ? System.getenv("VIRTUAL_ENV") : System.getenv("CONDA_PREFIX");
            dataDir = Path.of(venv != null ? venv : "/usr").resolve("share/jupyter");
        } else dataDir = Path.of("/usr/local/share/jupyter");
        List<String> jvm = opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
        Path dir = KernelSpec.install(dataDir, name, jvm);
        System.out.println("installed kernelspec " + name + " (\"" + KernelSpec.DISPLAY_NAME + "\") in " + dir);
        return 0;
    }
}
