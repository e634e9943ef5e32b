package dev.memtune.data;

import dev.memtune.cli.Args;
import dev.memtune.cli.Command;
import java.nio.file.Path;
import java.util.*;

/** {@code memtune fetch-data}: download official task files, verify them against data/checksums.tsv. */
public final class FetchDataCommand implements Command {
    @Override
    public java.util.Set<String> flags() { return java.util.Set.of("all", "verify", "missing"); }

    @Override
    public String summary() { return "download official task data and verify it against data/checksums.tsv"; }

    @Override
    public String usage() {
        return """
                usage: reproduce/memtune fetch-data (--task T ... | --all | --missing) [--dir D] [--from DIR] [--table FILE]
                       reproduce/memtune fetch-data --verify [--task T ...] [--dir D] [--table FILE]

                Downloads the official archives/files of each task (GLUE zips from dl.fbaipublicfiles.com,
                AI2 zips for OpenBookQA/ARC/SciQ, PIQA from yonatanbisk.com, SuperGLUE zips for BoolQ/COPA),
                checks every file's sha256 (or row count where none is recorded) against the table and
                installs it as D/<task>/<file> (e.g. D/rte/train.tsv). MRPC is split from
                msr_paraphrase_train.txt as download_glue_data.py does. Downloads are kept in D/downloads/.
                  --task T      a task (repeatable): %s
                  --all         every task
                  --missing     every task with files absent from D (reproduce/run --fetch uses this)
                  --dir D       data folder (default: MEMTUNE_DATA, -Dmemtune.data, or data/)
                  --from DIR    take archives/files from DIR (original file names) instead of the network
                  --table FILE  checksum table (default: data/checksums.tsv of the project)
                  --verify      check the files already in D against the table; no download.
                                Exit 1 if a file differs; absent files are listed, not an error.
                Without network the command fails and lists the URLs to fetch by hand (then use --from).
                """.formatted(String.join(", ", Tasks.names()));
    }

    @Override
    public int run(Args args) throws Exception {
        boolean verify = args.flag("verify"), all = args.flag("all"), missing = args.flag("missing");
        List<String> taskNames = args.all("task");
        Path dir = args.has("dir") ? Path.of(args.get("dir", null)) : Tasks.dataDir();
        Path from = args.has("from") ? Path.of(args.get("from", null)) : null;
        Checksums table = args.has("table") ? Checksums.load(Path.of(args.get("table", null))) : Checksums.load();
        args.rejectUnknown();
        LinkedHashSet<String> folders = new LinkedHashSet<>();
        for (String t : taskNames) folders.add(DataFetcher.folderOf(Tasks.get(t)));
        DataFetcher f = new DataFetcher(table, dir, from, System.err);
        if (verify) return verify(f, dir, taskNames.isEmpty() && !all ? null : all ? null : folders);
        if (all) for (Task t : Tasks.all()) folders.add(DataFetcher.folderOf(t));
        if (missing) {
            for (Task t : Tasks.all()) if (!t.missing(dir).isEmpty()) folders.add(DataFetcher.folderOf(t));
            if (folders.isEmpty()) { System.err.println("fetch-data: every task is in " + dir.toAbsolutePath() + "; nothing to fetch"); return 0; }
            System.err.println("fetch-data: tasks with absent files in " + dir.toAbsolutePath() + ": " + String.join(", ", folders));
        }
        if (folders.isEmpty()) throw new IllegalArgumentException("memtune fetch-data: give --task T, --all, --missing or --verify (see --help)");
        List<String> failed = new ArrayList<>();
        for (String folder : folders) {
            System.err.println("fetch-data " + folder + " -> " + dir.resolve(folder));
            try {
                for (DataFetcher.Check c : f.fetch(folder)) System.out.printf("%-8s %s  %s%n", c.status(), c.file(), c.detail());
            } catch (DataFetcher.FetchException e) {
                failed.add(folder);
                System.err.println("fetch-data " + folder + " FAILED: " + e.getMessage());
                System.err.println("  URLs of " + folder + " (download them anywhere, then rerun with --from DIR):");
                for (String u : f.urls(folder)) System.err.println("    " + u);
            }
        }
        if (!failed.isEmpty()) {
            System.err.println("fetch-data: " + failed.size() + " of " + folders.size() + " tasks failed: " + failed);
            return 1;
        }
        return 0;
    }

    private static int verify(DataFetcher f, Path dir, Collection<String> folders) throws Exception {
        Map<DataFetcher.Status, Integer> n = new EnumMap<>(DataFetcher.Status.class);
        List<String> absent = new ArrayList<>();
        for (DataFetcher.Check c : f.verify(folders)) {
            n.merge(c.status(), 1, Integer::sum);
            if (c.status() == DataFetcher.Status.ABSENT) absent.add(c.file());
            else System.out.printf("%-8s %s  %s%n", c.status(), c.file(), c.detail());
        }
        List<String> unlisted = folders == null ? f.unlisted() : List.of();
        for (String u : unlisted) System.out.println("UNLISTED " + u + "  (not in the checksum table)");
        if (!absent.isEmpty()) System.out.println("absent (" + absent.size() + "): " + String.join(", ", absent));
        int bad = n.getOrDefault(DataFetcher.Status.MISMATCH, 0);
        System.out.printf("verified %s: %d ok, %d ok by row count, %d MISMATCHED, %d absent, %d unlisted%n", dir.toAbsolutePath(),
                n.getOrDefault(DataFetcher.Status.OK, 0), n.getOrDefault(DataFetcher.Status.ROWS_OK, 0), bad, absent.size(), unlisted.size());
        return bad == 0 ? 0 : 1;
    }
}
