package dev.memtune.sweep;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code memtune sweep --commit}: each finished cell's result goes into the project's committed results
 * ({@code reproduce/results/runs/<table>/<config-id>/<task>/seed<k>.json}) and is committed on its own
 * ({@code git commit -- <that file>}, nothing else of the index) as soon as it lands, so a grid that
 * outlives a session or a machine loses at most the cell in progress. Cells with overrides are
 * variants of a config, not its result: they stay in the output folder.
 */
final class ResultCommit {
    private final Path root;

    private ResultCommit(Path root) { this.root = root; }

    /** For the git work tree at {@code root}; fails before anything runs when {@code root} is not in one. */
    static ResultCommit at(Path root) {
        Run r = git(root, List.of("rev-parse", "--is-inside-work-tree"));
        if (r.status != 0 || !r.out.strip().equals("true"))
            throw new IllegalArgumentException("memtune sweep --commit: " + root + " is not inside a git work tree (" + r.out.strip() + ")");
        return new ResultCommit(root);
    }

    /** Where a result below the output folder ({@code results/<table>/...}) is kept in the repository. */
    Path committedPath(String resultPath) {
        Path rel = Path.of(resultPath);
        if (rel.getNameCount() < 5 || !rel.getName(0).toString().equals("results"))
            throw new IllegalArgumentException("not a result path below the output folder: " + resultPath);
        return root.resolve("reproduce/results/runs").resolve(rel.subpath(1, rel.getNameCount()));
    }

    /**
     * Copies {@code result} to its committed place and commits that file alone; returns the commit message,
     * or null when the repository already holds this very file.
     */
    String commit(Path result, String resultPath) {
        Path dest = committedPath(resultPath);
        String path = root.relativize(dest).toString();
        try {
            if (Files.isRegularFile(dest) && Files.mismatch(result, dest) == -1 && git(root, List.of("status", "--porcelain", "--", path)).out.isBlank()
                    && git(root, List.of("ls-files", "--error-unmatch", "--", path)).status == 0)
                return null;
            Files.createDirectories(dest.getParent());
            Path tmp = Files.createTempFile(dest.getParent(), dest.getFileName().toString(), ".tmp");
            Files.copy(result, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("memtune sweep --commit: cannot copy " + result + " to " + dest + ": " + e.getMessage(), e);
        }
        String message = message(dest, resultPath);
        List<String> paths = new ArrayList<>(List.of(path));
        String parked = root.relativize(ParkedCheckpoints.parked(root, resultPath)).toString();
        if (!git(root, List.of("ls-files", "--", parked)).out.isBlank()) {    // the run's parked checkpoint goes in the same commit
            Run rm = git(root, List.of("rm", "-r", "-q", "--", parked));
            if (rm.status != 0) throw new IllegalStateException("memtune sweep --commit: git rm of the parked checkpoint " + parked + " failed: " + rm.out.strip());
            paths.add(parked);
        }
        commitPaths(paths, message);
        return message;
    }

    /** Adds a folder's files and commits that folder alone ({@link ParkedCheckpoints}). */
    void commitFolder(Path dir, String message) {
        commitPaths(List.of(root.relativize(dir).toString()), message);
    }

    /** {@code git add} and {@code git commit -- paths}: nothing else of the index goes in. */
    private void commitPaths(List<String> paths, String message) {
        Run r = null;
        for (int attempt = 0; attempt < 5; attempt++) {                     // another git command may hold the index lock for a moment
            List<String> add = new ArrayList<>(List.of("add", "-A", "--"));
            for (String p : paths) if (Files.exists(root.resolve(p))) add.add(p);     // a removed folder is already staged (git rm)
            r = add.size() > 3 ? git(root, add) : new Run(0, "");
            if (r.status == 0) {
                List<String> commit = new ArrayList<>(List.of("commit", "-q", "-m", message, "--"));
                commit.addAll(paths);
                r = git(root, commit);
            }
            if (r.status == 0 || !r.out.contains("index.lock")) break;
            Sweep.sleep(2000);                                              // interrupted: the result waits in the output folder for the next --commit
        }
        if (r.status != 0) throw new IllegalStateException("memtune sweep --commit: git commit of " + paths + " failed (status " + r.status + "): " + r.out.strip());
    }

    /**
     * {@code results: bert-base/lst on stsb, seed 42 (cpu scale): validation 86.9, test 86.9, 19 min}: config, task
     * and seed from the result path ({@code results/<table>/<config-id>/<task>/seed<k>.json}), the rest from the
     * result; what it lacks is left out.
     */
    static String message(Path resultFile, String resultPath) {
        JsonObject j;
        try {
            j = JsonParser.parseString(Files.readString(resultFile)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder sb = new StringBuilder("results: ").append(label(resultPath));
        if (j.has("scale")) sb.append(" (").append(j.get("scale").getAsString()).append(" scale)");
        List<String> parts = new ArrayList<>();
        if (j.has("best_validation_score")) parts.add(String.format(Locale.ROOT, "validation %.1f", 100 * j.get("best_validation_score").getAsDouble()));
        if (j.has("test_score")) parts.add(String.format(Locale.ROOT, "test %.1f", 100 * j.get("test_score").getAsDouble()));
        if (j.has("train_seconds")) parts.add(String.format(Locale.ROOT, "%.0f min", j.get("train_seconds").getAsDouble() / 60));
        if (!parts.isEmpty()) sb.append(": ").append(String.join(", ", parts));
        return sb.toString();
    }

    /** {@code bert-base/lst on stsb, seed 42}: config, task and seed of a result path {@code results/<table>/<config-id>/<task>/seed<k>.json}. */
    static String label(String resultPath) {
        Path rel = Path.of(resultPath);
        int n = rel.getNameCount();
        return rel.subpath(2, n - 2).toString().replace('\\', '/') + " on " + rel.getName(n - 2) + ", seed "
                + rel.getFileName().toString().replaceAll("^seed|\\.json$", "");
    }

    private record Run(int status, String out) {}

    private static Run git(Path dir, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Run(p.waitFor(), out);
        } catch (IOException e) {
            return new Run(-1, "cannot run git: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(-1, "interrupted");
        }
    }
}
