package dev.memtune.display;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FormatTest {
    @Test
    void percentsHaveThreeSignificantDigits() {
        assertEquals("100%", Format.percent(1.0));
        assertEquals("0.327%", Format.percent(0.0032673065141923625));    // the raw double the issue quotes
        assertEquals("1.74%", Format.percent(0.017400001));               // LST's T5-base share as the paper prints it
        assertEquals("2.01%", Format.percent(0.020066));
        assertEquals("0.0912%", Format.percent(0.00091234));
        assertEquals("0%", Format.percent(0));
        assertEquals("n/a", Format.percent(Double.NaN));
    }
}
