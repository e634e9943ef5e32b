package dev.memtune.methods;

import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import dev.memtune.backbones.ParamCount;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;

/** {@code memtune methods [--backbone B] [--labels N]}: every method with its trainable parameters on a backbone. */
public final class MethodsCommand implements Command {
    public String summary() { return "list fine-tuning methods with trainable-parameter count and share on a backbone"; }

    public String usage() {
        return """
                usage: memtune methods [--backbone PRESET] [--labels N]
                  --backbone   backbone preset (default bert-base; see memtune backbones)
                  --labels     classification labels of the head (default 2)
                Builds each method on a randomly initialised backbone of the preset (counts do not depend
                on weight values) and prints trainable parameters of the method (head excluded), their share of
                the backbone's parameters (the papers' "params updated"), and the head's size.
                SymTune is a reconstruction from its published description (no public code).""";
    }

    public int run(Args a) {
        String bb = a.get("backbone", "bert-base");
        int labels = a.getInt("labels", 2);
        a.rejectUnknown();
        System.out.printf("%-9s %14s %9s %10s  %s%n", "method", "trainable", "share", "head", "notes");
        String kind = Backbones.preset(bb).modelType;
        for (String name : Methods.names()) {
            if (!Methods.create(name).supports(kind)) {
                System.out.printf("%-9s %14s %9s %10s  %s%n", name, "n/a", "n/a", "n/a", "not implemented for " + kind + " backbones");
                continue;
            }
            Backbone b = Backbones.create(bb, 0);
            long base = b.numParams();
            try (TunedModel m = Methods.create(name).attach(b, HeadSpec.classification(labels))) {
                long own = m.methodParams().values().stream().mapToLong(p -> p.numel()).sum();
                long head = m.numTrainable() - own;
                String note = name.equals("symtune") ? "reconstruction from the paper's description" : "";
                System.out.printf("%-9s %,14d %8.3f%% %,10d  %s%n", name, own, 100.0 * own / base, head, note);
            }
        }
        System.out.printf("backbone %s: %,d parameters%n", bb, ParamCount.estimate(Backbones.preset(bb)));
        return 0;
    }
}
