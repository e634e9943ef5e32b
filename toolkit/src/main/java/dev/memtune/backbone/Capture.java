package dev.memtune.backbone;

/**
 * What a forward pass hands out besides its last hidden state. Anything not asked for is closed
 * inside the layer that made it, so a plain forward holds about one layer of intermediates.
 *
 * <p>{@code firstToken}: the caller reads the last hidden state at position 0 only (a head that
 * pools the first token). An encoder may then run its last layer for that position alone: keys and
 * values over every token, the query, attention output and feed-forward for position 0, so the last
 * hidden state is {@code [B,1,H]}. Position 0's state is the same function of the input (equal up to
 * float rounding); the other positions' states, which nothing reads, are not computed. BERT honours
 * it; T5 and OPT ignore it and return every position, whose first pools the same.
 */
public record Capture(boolean hiddenStates, boolean attentions, boolean firstToken) {
    public static final Capture NONE = new Capture(false, false, false);
    public static final Capture HIDDEN = new Capture(true, false, false);
    public static final Capture ALL = new Capture(true, true, false);
    /** Nothing captured; only position 0 of the last hidden state is read. */
    public static final Capture FIRST_TOKEN = new Capture(false, false, true);
}
