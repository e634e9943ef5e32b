package dev.memtune.display;

import java.math.BigDecimal;
import java.math.MathContext;

/** Numbers as people read them in tables and command output. */
public final class Format {
    private Format() {}

    /** A fraction as a percent with 3 significant digits: 1.0 -> {@code 100%}, 0.0032673 -> {@code 0.327%}, 0.0174 -> {@code 1.74%}. */
    public static String percent(double fraction) {
        if (!Double.isFinite(fraction)) return "n/a";
        if (fraction == 0) return "0%";
        return new BigDecimal(fraction * 100).round(new MathContext(3)).stripTrailingZeros().toPlainString() + "%";
    }
}
