package dev.memtune.method;

/** Access for method packages to {@link TunedModel#addHead}. */
public final class Heads {
    private Heads() {}

    public static void add(TunedModel m, int dim) { m.addHead(dim); }
}
