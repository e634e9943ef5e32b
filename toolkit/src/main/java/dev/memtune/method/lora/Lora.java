package dev.memtune.method.lora;

import dev.memtune.backbone.Backbone;
import dev.memtune.method.*;
import dev.memtune.nn.Linear;
import dev.memtune.nn.Module;

import java.util.*;

/**
 * LoRA: every target linear layer becomes {@link LoraLinear}; only {@code lora_A}/{@code lora_B}
 * (and the head) train. Default targets are the attention query and value projections of the
 * backbone's kind (BERT {@code query,value}; T5 {@code q,v}; OPT {@code q_proj,v_proj}), as in PEFT.
 * {@code target_modules=all-linear} wraps every linear layer of the backbone but the output layer
 * ({@code lm_head}), PEFT's {@code "all-linear"}.
 */
public final class Lora implements Method {
    private final LoraConfig config;

    /** PEFT's name for "every linear layer but the output layer". */
    public static final String ALL_LINEAR = "all-linear";

    public Lora(LoraConfig config) { this.config = config; }

    /** Registry entry: options {@code r, lora_alpha, lora_dropout, target_modules} (defaults: {@link LoraConfig.Builder}). */
    public static Method fromOptions(String name, Options o) {
        LoraConfig.Builder b = LoraConfig.builder();
        o.integer("r", b::setR).number("lora_alpha", b::setLoraAlpha).number("lora_dropout", b::setLoraDropout).list("target_modules", b::setTargetModules);
        return new Lora(b.build());
    }

    public LoraConfig config() { return config; }

    public static List<String> defaultTargets(String modelType) {
        return switch (modelType) {
            case "t5" -> List.of("q", "v");
            case "opt" -> List.of("q_proj", "v_proj");
            default -> List.of("query", "value");
        };
    }

    public TunedModel attach(Backbone backbone, HeadSpec head) {
        List<String> targets = config.targetModules() != null ? config.targetModules() : defaultTargets(backbone.config().modelType);
        boolean allLinear = targets.equals(List.of(ALL_LINEAR));
        if (!allLinear && targets.contains(ALL_LINEAR))
            throw new IllegalArgumentException("lora: target_modules '" + ALL_LINEAR + "' stands alone, got " + targets);
        Set<String> found = new HashSet<>();
        for (Module parent : new ArrayList<>(backbone.namedModules().values())) {
            for (var e : new ArrayList<>(parent.children().entrySet())) {
                boolean wanted = allLinear ? !e.getKey().equals("lm_head") : targets.contains(e.getKey());
                if (wanted && e.getValue() instanceof Linear l && !(l instanceof LoraLinear)) {
                    parent.replaceChild(e.getKey(), new LoraLinear(l, config.r(), config.loraAlpha(), config.loraDropout()));
                    found.add(e.getKey());
                }
            }
        }
        if (allLinear && found.isEmpty()) throw new IllegalArgumentException("lora: this " + backbone.config().modelType + " backbone has no linear layer to wrap");
        if (!allLinear) for (String t : targets)
            if (!found.contains(t)) throw new IllegalArgumentException("lora: target module '" + t + "' matches no linear layer of this " + backbone.config().modelType + " backbone");
        TunedModel m = new TunedModel(backbone, head, config);
        Heads.add(m, backbone.config().outputSize());
        Freeze.apply(m, n -> n.contains(".lora_A.") || n.contains(".lora_B."));
        return m;
    }
}
