package dev.memtune.report;

import dev.memtune.cli.Args;
import dev.memtune.cli.Command;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code memtune report NOTEBOOK... --out DIR}: report.html + report.md from executed notebooks. */
public final class ReportCommand implements Command {
    public String summary() { return "write report.html and report.md from executed notebooks"; }

    public String usage() {
        return """
                usage: memtune report EXECUTED.ipynb... [--out DIR]
                  --out   folder for report.html, report.md and figures/ (default reproduce/out)
                Prints a summary table and exits 1 if any notebook holds an error output.""";
    }

    public int run(Args a) throws Exception {
        Path out = Path.of(a.get("out", "reproduce/out"));
        a.rejectUnknown();
        List<Path> nbs = new ArrayList<>();
        for (String p : a.positional()) nbs.add(Path.of(p));
        if (nbs.isEmpty()) throw new IllegalArgumentException("memtune report: give at least one executed notebook");
        var entries = NotebookReport.write(nbs, out);
        System.out.printf("%-22s %6s %9s  %s%n", "notebook", "cells", "executed", "status");
        boolean ok = true;
        for (var e : entries) {
            System.out.printf("%-22s %6d %9d  %s%n", e.notebook(), e.cells(), e.executed(), e.ok() ? "ok" : "FAILED " + e.error());
            ok &= e.ok();
        }
        System.out.println("report: " + out.resolve("report.html") + " and " + out.resolve("report.md"));
        return ok ? 0 : 1;
    }
}
