package dev.memtune.method;

import java.util.Map;

/** A method's settings; validated when built, printable and storable as data. */
public interface MethodConfig {
    /** Registry name of the method ({@code lora}, {@code lst}, ...). */
    String method();

    /** The settings as a flat map (HF PEFT names where they exist), for results JSON. */
    Map<String, Object> toMap();
}
