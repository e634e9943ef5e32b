package dev.memtune.methods;

import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import dev.memtune.backbones.ParamCount;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;
import dev.memtune.display.Format;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;

/** {@code memtune methods [--backbone B] [--labels N]}: every method with its trainable parameters on a backbone. */
public final class MethodsCommand implements Command {
    public String summary() { return "list fine-tuning methods with trainable-parameter count and share on a backbone"; }

    public String usage() {
        return """
                usage: memtune methods [--backbone PRESET] [--task classification|lm] [--labels N]
                  --backbone   backbone preset (default bert-base; see memtune backbones)
                  --task       classification (default): a pooled classification head; lm: the text-to-text
                               setting (T5, OPT: the model's own LM head generates the label; LST's Table 1)
                  --labels     classification labels of the head (default 2)
                Builds each method on a randomly initialised backbone of the preset (counts do not depend
                on weight values) and prints trainable parameters of the method (head excluded), their share of
                the backbone's parameters (the papers' "params updated"), and the head's size.
                SymTune is a reconstruction from its published description (no public code).""";
    }

    public int run(Args a) {
        String bb = a.get("backbone", "bert-base");
        int labels = a.getInt("labels", 2);
        String task = a.get("task", "classification");
        a.rejectUnknown();
        if (!task.equals("classification") && !task.equals("lm")) throw new IllegalArgumentException("memtune methods: --task must be classification or lm, got '" + task + "'");
        if (task.equals("lm") && Backbones.preset(bb).modelType.equals("bert"))
            throw new IllegalArgumentException("memtune methods: --task lm needs a T5 or OPT backbone (text-to-text); " + bb + " is an encoder");
        HeadSpec headSpec = task.equals("lm") ? HeadSpec.lm() : HeadSpec.classification(labels);
        System.out.printf("%-9s %14s %9s %10s  %s%n", "method", "trainable", "share", "head", "notes");
        String kind = Backbones.preset(bb).modelType;
        for (String name : Methods.names()) {
            if (!Methods.create(name).supports(kind) || (task.equals("lm") && name.startsWith("meft"))) {
                System.out.printf("%-9s %14s %9s %10s  %s%n", name, "n/a", "n/a", "n/a", "not implemented for " + kind + (task.equals("lm") ? " text-to-text" : " backbones"));
                continue;
            }
            Backbone b = Backbones.create(bb, 0);
            long base = b.numParams();
            try (TunedModel m = Methods.create(name).attach(b, headSpec)) {
                long own = m.methodParams().values().stream().mapToLong(p -> p.numel()).sum();
                long head = m.numTrainable() - own;
                String note = name.equals("symtune") ? "reconstruction from the paper's description" : "";
                System.out.printf("%-9s %,14d %9s %,10d  %s%n", name, own, Format.percent((double) own / base), head, note);
            }
        }
        System.out.printf("backbone %s: %,d parameters%n", bb, ParamCount.estimate(Backbones.preset(bb)));
        return 0;
    }
}
