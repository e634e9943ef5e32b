package dev.memtune.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hugging Face {@code BertModel} state-dict keys (no {@code bert.} prefix), in the order
 * {@code BertModel.state_dict()} lists them. Converters sort their output with {@link #sorted} and check
 * completeness with {@link #expected}.
 */
public final class BertKeys {
    private static final String[] LAYER = {
        "attention.self.query.weight", "attention.self.query.bias",
        "attention.self.key.weight", "attention.self.key.bias",
        "attention.self.value.weight", "attention.self.value.bias",
        "attention.output.dense.weight", "attention.output.dense.bias",
        "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
        "intermediate.dense.weight", "intermediate.dense.bias",
        "output.dense.weight", "output.dense.bias",
        "output.LayerNorm.weight", "output.LayerNorm.bias",
    };
    private static final Pattern LAYER_KEY = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)");

    private BertKeys() {}

    /** All keys of a BERT with {@code layers} layers, with or without the pooler. */
    public static List<String> expected(int layers, boolean pooler) {
        List<String> keys = new ArrayList<>(List.of(
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"));
        for (int i = 0; i < layers; i++) {
            for (String k : LAYER) keys.add("encoder.layer." + i + "." + k);
        }
        if (pooler) keys.addAll(List.of("pooler.dense.weight", "pooler.dense.bias"));
        return keys;
    }

    /** Number of encoder layers named in {@code keys} (max index + 1). */
    public static int layerCount(Iterable<String> keys) {
        int n = 0;
        for (String k : keys) {
            Matcher m = LAYER_KEY.matcher(k);
            if (m.matches()) n = Math.max(n, Integer.parseInt(m.group(1)) + 1);
        }
        return n;
    }

    /**
     * Checks that {@code weights} holds exactly the keys of a BERT (pooler optional) and returns them in
     * state-dict order; throws naming the missing and unexpected keys otherwise.
     */
    public static LinkedHashMap<String, HostTensor> sorted(Map<String, HostTensor> weights, String source) {
        int layers = layerCount(weights.keySet());
        boolean pooler = weights.containsKey("pooler.dense.weight");
        List<String> keys = expected(layers, pooler);
        List<String> missing = new ArrayList<>();
        for (String k : keys) if (!weights.containsKey(k)) missing.add(k);
        List<String> extra = new ArrayList<>();
        for (String k : weights.keySet()) if (!keys.contains(k)) extra.add(k);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException(source + ": not a complete BERT encoder; missing " + missing + ", unexpected " + extra);
        }
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        for (String k : keys) out.put(k, weights.get(k));
        return out;
    }
}
