package dev.memtune.kernel;

import dev.memtune.kernel.display.MimeBundle;
import dev.memtune.kernel.display.Output;

import java.util.ArrayList;
import java.util.List;

/** Records what a session displays, for tests. */
public final class RecordingOutput implements Output {
    public record Shown(String kind, MimeBundle bundle, String displayId) {}

    public final List<Shown> shown = new ArrayList<>();

    @Override public synchronized void display(MimeBundle bundle, String displayId) { shown.add(new Shown("display", bundle, displayId)); }
    @Override public synchronized void update(MimeBundle bundle, String displayId) { shown.add(new Shown("update", bundle, displayId)); }
}
