package dev.memtune.backbone;

import dev.memtune.backbones.Backbones;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One folder of {@code src/test/resources/fixtures} (written by {@code make_fixtures.py} with
 * Hugging Face transformers): its config, weights and reference inputs/outputs. Safetensors files are
 * read with DJL's own decoder, independent of the project's reader.
 */
public final class Fixture {
    final String name;
    public final Path dir;
    final BackboneConfig config;

    public Fixture(String name) {
        this.name = name;
        try {
            this.dir = Path.of(Fixture.class.getResource("/fixtures/" + name + "/config.json").toURI()).getParent();
            this.config = BackboneConfig.read(dir.resolve("config.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture " + name + " missing from the test classpath", e);
        }
    }

    /** All tensors of {@code file} by name, in {@code m}. */
    public Map<String, NDArray> read(NDManager m, String file) {
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (NDArray a : NDList.decode(m, in)) out.put(a.getName(), a);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The backbone of this fixture with HF's weights loaded strictly (every key used, none missing). */
    Backbone load(NDManager weights) {
        Backbone b = Backbones.construct(weights, config, true);
        try (NDManager tmp = NDManager.newBaseManager()) {
            b.load(read(tmp, "model.safetensors"), true, dir.resolve("model.safetensors").toString());
        }
        b.train(false);
        return b;
    }

    @Override
    public String toString() { return name; }
}
