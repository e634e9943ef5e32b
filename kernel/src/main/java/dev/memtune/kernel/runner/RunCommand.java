package dev.memtune.kernel.runner;

import dev.memtune.cli.Args;
import dev.memtune.cli.Command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code memtune run NOTEBOOK... [--out DIR] [--param key=value]}: executes notebooks headlessly. */
public final class RunCommand implements Command {
    @Override public String summary() { return "execute notebooks headlessly (no Python) and write them back with outputs"; }

    @Override public String usage() {
        return """
                usage: memtune run NOTEBOOK.ipynb... [--out DIR] [--param key=value]...

                Executes each notebook in this JVM with the kernel's evaluator, magics and renderers
                and writes it back as nbformat 4 with outputs (in place, or into --out DIR).
                --param key=value   sets parameters papermill-style: a cell tagged 'injected-parameters'
                                    declaring them is placed after the cell tagged 'parameters'
                                    (types: as declared there, else int/long/double/boolean/String from the value)
                Exit status 1 if a cell fails; the message names the notebook and the cell index.""";
    }

    @Override
    public int run(Args args) throws Exception {
        String outDir = args.get("out", null);
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : args.all("param")) {
            int eq = p.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("memtune run: --param expects key=value, got '" + p + "'");
            params.put(p.substring(0, eq), p.substring(eq + 1));
        }
        args.rejectUnknown();
        List<String> notebooks = args.positional();
        if (notebooks.isEmpty()) throw new IllegalArgumentException("memtune run: give one or more notebooks (see --help)");
        for (String nb : notebooks)
            if (!Files.isRegularFile(Path.of(nb))) throw new IllegalArgumentException("memtune run: no such notebook: " + nb);
        int status = 0;
        for (String nb : notebooks) {
            Path in = Path.of(nb);
            Path out = outDir == null ? in : Path.of(outDir).resolve(in.getFileName());
            NotebookRunner.Result r = NotebookRunner.run(in, out, params);
            System.out.println(r.summary());
            if (!r.ok()) status = 1;
        }
        return status;
    }
}
