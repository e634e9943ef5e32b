package dev.memtune.kernel.display;

import dev.memtune.progress.ProgressEvent;
import dev.memtune.progress.ProgressListener;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Shows {@link dev.memtune.progress.Progress} events of a running cell as one live progress bar
 * per task: the first event displays it with a display id, later ones update it in place
 * (Jupyter's {@code update_display_data}), at most every {@link #MIN_INTERVAL_MS} except the last.
 */
public final class ProgressDisplay implements ProgressListener {
    public static final long MIN_INTERVAL_MS = 250;

    private final Output out;
    private final Map<String, String> ids = new HashMap<>();
    private final Map<String, Long> lastShown = new HashMap<>();

    public ProgressDisplay(Output out) { this.out = out; }

    @Override
    public synchronized void onProgress(ProgressEvent e) {
        String id = ids.get(e.task());
        long now = System.currentTimeMillis();
        boolean last = e.totalSteps() > 0 && e.step() >= e.totalSteps();
        if (id != null && !last && now - lastShown.getOrDefault(e.task(), 0L) < MIN_INTERVAL_MS) return;
        lastShown.put(e.task(), now);
        MimeBundle b = bundle(e);
        if (id == null) {
            id = "memtune-progress-" + UUID.randomUUID();
            ids.put(e.task(), id);
            out.display(b, id);
        } else out.update(b, id);
    }

    static MimeBundle bundle(ProgressEvent e) {
        StringBuilder h = new StringBuilder("<div class=\"memtune-progress\"><code>").append(Renderers.escape(e.task())).append("</code> ");
        if (e.totalSteps() > 0)
            h.append("<progress value=\"").append(e.step()).append("\" max=\"").append(e.totalSteps()).append("\" style=\"width:40%\"></progress> ")
             .append(e.step()).append('/').append(e.totalSteps());
        else if (e.step() > 0) h.append("step ").append(e.step());
        if (!Double.isNaN(e.loss())) h.append(String.format(" &middot; loss %.4f", e.loss()));
        if (!Double.isNaN(e.tokensPerSecond())) h.append(String.format(" &middot; %.0f tok/s", e.tokensPerSecond()));
        if (!Double.isNaN(e.etaSeconds())) h.append(" &middot; ETA ").append(ProgressEvent.formatSeconds(e.etaSeconds()));
        if (e.message() != null && !e.message().isEmpty()) h.append(" &middot; ").append(Renderers.escape(e.message()));
        return new MimeBundle().put("text/plain", e.line()).put("text/html", h.append("</div>").toString());
    }
}
