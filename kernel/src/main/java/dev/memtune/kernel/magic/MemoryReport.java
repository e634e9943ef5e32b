package dev.memtune.kernel.magic;

import dev.memtune.sys.ProcMemory;
import dev.memtune.display.Renderable;

/**
 * What {@code %%memory} measured around one cell. Resident figures come from
 * {@code /proc/self/status} (native tensors included); heap figures from the JVM.
 *
 * @param rssBefore  resident bytes before the cell
 * @param peakRss    resident high-water mark during the cell ({@code VmHWM} after a reset); -1 where the
 *                   system does not reset {@code VmHWM} (shown as n/a)
 * @param rssAfter   resident bytes after the cell
 * @param heapBefore heap used before (after a GC)
 * @param peakHeap   sum of the heap pools' peaks during the cell
 * @param heapAfter  heap used after (after a GC)
 */
public record MemoryReport(long rssBefore, long peakRss, long rssAfter, long heapBefore, long peakHeap, long heapAfter)
        implements Renderable {

    /** Peak resident memory the cell used above where it started. */
    public long peakUsed() { return peakRss < 0 ? -1 : peakRss - rssBefore; }

    /** Resident memory still held when the cell finished. */
    public long held() { return rssAfter - rssBefore; }

    /** Heap still held (after a GC) when the cell finished. */
    public long heapHeld() { return heapAfter - heapBefore; }

    @Override
    public String toText() {
        return String.format("peak memory used: %s (resident peak %s)%nheld at end:      %s (resident %s)%nJVM heap:         peak %s, held at end %s",
                size(peakUsed()), size(peakRss), ProcMemory.format(held()), ProcMemory.format(rssAfter),
                ProcMemory.format(peakHeap), ProcMemory.format(heapHeld()));
    }

    @Override
    public String toHtml() {
        return "<table class=\"memtune-memory\"><thead><tr><th></th><th>used by cell</th><th>process</th></tr></thead><tbody>"
                + row("peak resident", peakUsed(), peakRss) + row("held at end (resident)", held(), rssAfter)
                + row("JVM heap peak", peakHeap - heapBefore, peakHeap) + row("JVM heap held (after GC)", heapHeld(), heapAfter)
                + "</tbody></table>";
    }

    private static String row(String what, long used, long total) {
        return "<tr><td>" + what + "</td><td>" + size(used) + "</td><td>" + size(total) + "</td></tr>";
    }

    /** A size, or n/a for -1 (a peak this system could not reset). */
    private static String size(long bytes) { return bytes < 0 ? "n/a" : ProcMemory.format(bytes); }

    @Override
    public String toString() { return toText(); }
}
