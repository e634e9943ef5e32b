package dev.memtune.method.bitfit;

import dev.memtune.method.MethodConfig;

import java.util.Map;

/** BitFit has no settings: every bias term trains. */
public record BitFitConfig() implements MethodConfig {
    public String method() { return "bitfit"; }
    public Map<String, Object> toMap() { return Map.of(); }
}
