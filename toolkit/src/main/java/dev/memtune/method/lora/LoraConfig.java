package dev.memtune.method.lora;

import dev.memtune.method.MethodConfig;

import java.util.*;

/** LoRA settings with HF PEFT names: {@code r}, {@code lora_alpha}, {@code lora_dropout}, {@code target_modules}. */
public record LoraConfig(int r, double loraAlpha, double loraDropout, List<String> targetModules) implements MethodConfig {
    public LoraConfig {
        if (r <= 0) throw new IllegalArgumentException("lora: r must be positive, got " + r);
        if (loraAlpha <= 0) throw new IllegalArgumentException("lora: lora_alpha must be positive, got " + loraAlpha);
        if (loraDropout < 0 || loraDropout >= 1) throw new IllegalArgumentException("lora: lora_dropout must be in [0,1), got " + loraDropout);
        targetModules = targetModules == null ? null : List.copyOf(targetModules);
    }

    public String method() { return "lora"; }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("r", r); m.put("lora_alpha", loraAlpha); m.put("lora_dropout", loraDropout);
        m.put("target_modules", targetModules == null ? "default (q, v)" : targetModules);
        return m;
    }

    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private int r = 8;
        private double alpha = 16, dropout = 0.1;
        private List<String> targets;

        public Builder setR(int r) { this.r = r; return this; }
        public Builder setLoraAlpha(double a) { this.alpha = a; return this; }
        public Builder setLoraDropout(double d) { this.dropout = d; return this; }
        /** Module names to wrap (last path component); default: the attention query and value projections. */
        public Builder setTargetModules(List<String> t) { this.targets = t; return this; }
        public LoraConfig build() { return new LoraConfig(r, alpha, dropout, targets); }
    }
}
