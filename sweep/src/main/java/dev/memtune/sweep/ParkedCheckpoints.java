package dev.memtune.sweep;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.memtune.weights.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Checkpoints of cells in progress kept in the repository, so that a run longer than a session resumes
 * in a fresh checkout on another machine: {@code memtune sweep --park} copies a cell's checkpoint folder
 * ({@code <out>/checkpoints/<table>/<config-id>/<task>/seed<k>/}: {@code checkpoint.safetensors},
 * {@code best.safetensors}) to {@code reproduce/results/parked/<table>/<config-id>/<task>/seed<k>/} and
 * commits it; a sweep copies a parked checkpoint back into its output folder before the cell starts,
 * unless the output folder's own is as far along; the commit of the cell's result removes the parked
 * folder. The files are copied byte for byte, so the resumed run is the one {@code memtune train --resume}
 * would continue on the machine that wrote them. Only cells without overrides are parked (their results
 * are not committed either), and only checkpoints up to {@link #MAX_BYTES}: a PEFT method's trainable
 * parameters with AdamW's moments are a few MB, full fine-tuning's are gigabytes.
 */
final class ParkedCheckpoints {
    /** Largest checkpoint folder parked: 64 MiB (MEFT on bert-base: 14 MB; full fine-tuning: 1.8 GB). */
    static final long MAX_BYTES = 64L << 20;
    static final List<String> FILES = List.of("checkpoint.safetensors", "best.safetensors");
    private final Path root, out;
    private final long maxBytes;

    ParkedCheckpoints(Path root, Path out) { this(root, out, MAX_BYTES); }

    ParkedCheckpoints(Path root, Path out, long maxBytes) {
        this.root = root;
        this.out = out;
        this.maxBytes = maxBytes;
    }

    /** {@code <table>/<config-id>/<task>/seed<k>} of a result path {@code results/<table>/.../seed<k>.json} below the output folder. */
    static String id(String resultPath) {
        Path rel = Path.of(resultPath);
        if (!rel.getName(0).toString().equals("results") || rel.getNameCount() < 5)
            throw new IllegalArgumentException("not a result path below the output folder: " + resultPath);
        return rel.subpath(1, rel.getNameCount()).toString().replaceAll("\\.json$", "");
    }

    /** Where the checkpoint of the run writing {@code resultPath} is parked in the repository at {@code root}. */
    static Path parked(Path root, String resultPath) { return root.resolve("reproduce/results/parked").resolve(id(resultPath)); }

    /** The cell's parked folder in the repository. */
    Path parked(Cell c) { return parked(root, c.resultPath()); }

    /** The cell's checkpoint folder below the output folder, where {@code memtune train --resume} looks. */
    Path local(Cell c) { return out.resolve("checkpoints").resolve(id(c.resultPath())); }

    /** Optimizer steps done by the checkpoint in {@code dir}; -1 when there is none. */
    static long step(Path dir) {
        Path f = dir.resolve(FILES.get(0));
        if (!Files.isRegularFile(f)) return -1;
        return state(f).get("globalStep").getAsLong();
    }

    private static JsonObject state(Path checkpoint) {
        String s = SafeTensors.metadata(checkpoint).get("state");
        if (s == null) throw new IllegalArgumentException(checkpoint + ": no 'state' in its metadata: not a memtune checkpoint");
        return JsonParser.parseString(s).getAsJsonObject();
    }

    /** The epoch in progress of the checkpoint in {@code dir} (0 = the first). */
    static int epoch(Path dir) { return state(dir.resolve(FILES.get(0))).get("epoch").getAsInt(); }

    /** Wall seconds the checkpoint in {@code dir} has trained, over all sessions. */
    static double seconds(Path dir) { return state(dir.resolve(FILES.get(0))).get("seconds").getAsDouble(); }

    /** The folder a cell will resume from: its own checkpoint, or the parked one when that is further along; null when it starts afresh. */
    Path resumeFrom(Cell c) {
        long local = step(local(c)), kept = c.overrides().isEmpty() ? step(parked(c)) : -1;
        if (local < 0 && kept < 0) return null;
        return local >= kept ? local(c) : parked(c);
    }

    /** {@code step 633 (epoch 2, 18.3 min trained)}. */
    static String where(Path dir) {
        JsonObject st = state(dir.resolve(FILES.get(0)));
        return String.format(Locale.ROOT, "step %d (epoch %d, %.1f min trained)", st.get("globalStep").getAsLong(),
                st.get("epoch").getAsInt() + 1, st.get("seconds").getAsDouble() / 60);
    }

    /**
     * Before a cell runs: copies its parked checkpoint into the output folder when the output folder has
     * none or one with fewer steps done; returns what it did, or null when nothing is parked for the cell.
     */
    String restore(Cell c) {
        if (!c.overrides().isEmpty()) return null;
        Path from = parked(c), to = local(c);
        if (step(from) < 0) return null;
        if (to.equals(resumeFrom(c))) return "resumes from its own checkpoint at " + where(to) + " (the parked one is at step " + step(from) + ")";
        copy(from, to);
        return "resumes from the parked checkpoint " + root.relativize(from) + " at " + where(to);
    }

    /**
     * {@code memtune sweep --park}: copies the cell's checkpoint from the output folder to its parked
     * folder and commits that folder alone; returns what it did, or null when the cell has no checkpoint.
     */
    String park(Cell c, ResultCommit git) {
        if (!c.overrides().isEmpty()) return null;
        Path from = local(c), to = parked(c);
        if (step(from) < 0) return null;
        long bytes = size(from);
        if (bytes > maxBytes)
            return String.format(Locale.ROOT, "not parked: %s holds %d bytes, over the %d kept in the repository; it resumes only where that folder is",
                    from, bytes, maxBytes);
        if (step(to) == step(from) && same(from, to)) return "already parked at " + where(to);
        copy(from, to);
        String message = "parked: " + ResultCommit.label(c.resultPath()) + " at " + where(to);
        git.commitFolder(to, message);
        return message;
    }

    private static long size(Path dir) {
        long n = 0;
        for (String f : FILES) {
            try {
                if (Files.isRegularFile(dir.resolve(f))) n += Files.size(dir.resolve(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }

    private static boolean same(Path a, Path b) {
        try {
            for (String f : FILES) {
                Path x = a.resolve(f), y = b.resolve(f);
                if (Files.exists(x) != Files.exists(y)) return false;
                if (Files.exists(x) && Files.mismatch(x, y) != -1) return false;
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the checkpoint files of {@code from} over those of {@code to}, each atomically; a file {@code from} lacks is removed. */
    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to);
            for (String f : List.of(FILES.get(1), FILES.get(0))) {          // the best first, as the trainer writes them
                Path src = from.resolve(f), dst = to.resolve(f);
                if (!Files.isRegularFile(src)) { Files.deleteIfExists(dst); continue; }
                Path tmp = Files.createTempFile(to, f, ".tmp");
                Files.copy(src, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the checkpoint " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
