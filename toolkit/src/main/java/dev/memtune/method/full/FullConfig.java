package dev.memtune.method.full;

import dev.memtune.method.MethodConfig;

import java.util.Map;

/** Full fine-tuning has no settings of its own. */
public record FullConfig() implements MethodConfig {
    public String method() { return "full"; }
    public Map<String, Object> toMap() { return Map.of(); }
}
