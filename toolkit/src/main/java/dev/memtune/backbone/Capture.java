package dev.memtune.backbone;

/**
 * What a forward pass hands out besides its last hidden state. Anything not asked for is closed
 * inside the layer that made it, so a plain forward holds about one layer of intermediates.
 */
public record Capture(boolean hiddenStates, boolean attentions) {
    public static final Capture NONE = new Capture(false, false);
    public static final Capture HIDDEN = new Capture(true, false);
    public static final Capture ALL = new Capture(true, true);
}
