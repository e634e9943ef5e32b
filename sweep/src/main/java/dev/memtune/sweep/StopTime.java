package dev.memtune.sweep;

import dev.memtune.train.Checkpoint;
import dev.memtune.train.RunTimes;

import java.time.*;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.*;

/**
 * A sweep's stop time ({@code memtune sweep --stop-at HH:MM | --stop-after 2h30m}, {@link Sweep.Builder#optStopAt}),
 * for a machine lent for a few hours or a cluster job's time limit. At the stop time the running cells get
 * SIGTERM and write their checkpoints ({@link #awaitChildren} waits for that), and with {@code --commit} those
 * are parked ({@link ParkedCheckpoints}). Before it, a cell is not started when its estimate is longer than
 * the time left and its checkpoint could not be parked ({@link #latestStarts}: {@link Checkpoint#bytes} of the
 * trainable parameters of a finished run of its config over {@link ParkedCheckpoints#MAX_BYTES}, as full
 * fine-tuning's 1.8 GB), so that a later cell that fits runs instead; a parked cell loses nothing.
 */
record StopTime(Instant at) {

    /**
     * The stop time of {@code --stop-at HH:MM} (the next such time of day in {@code zone}), {@code --stop-at 2026-12-07T03:40}
     * (that time in {@code zone}, even when past: for grids run one after another) or {@code --stop-after}
     * (a duration from {@code now}: {@code 2h30m}, {@code 90m}, {@code 45s}, read by {@link Duration#parse}); null for neither.
     */
    static Instant parse(String at, String after, Instant now, ZoneId zone) {
        if (at != null && after != null) throw new IllegalArgumentException("memtune sweep: give --stop-at or --stop-after, not both (got --stop-at " + at + " --stop-after " + after + ")");
        if (after != null) {
            Duration d;
            try {
                d = Duration.parse("PT" + after.strip().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("memtune sweep: --stop-after expects a duration such as 2h30m, 90m or 45s, got '" + after + "'");
            }
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("memtune sweep: --stop-after must be longer than 0, got '" + after + "'");
            return now.plus(d);
        }
        if (at == null) return null;
        try {
            if (at.contains("T")) return LocalDateTime.parse(at.strip()).atZone(zone).toInstant();    // exact, even when past: nothing starts
            ZonedDateTime z = now.atZone(zone).with(LocalTime.parse(at.strip()));
            return (z.toInstant().isAfter(now) ? z : z.plusDays(1)).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("memtune sweep: --stop-at expects a time of day HH:MM or a date and time 2026-12-07T03:40 (this machine's zone, "
                    + zone + "), got '" + at + "'");
        }
    }

    /** {@code 03:40} (this machine's zone), with the date when it is not today. */
    static String clock(Instant t) {
        var z = t.atZone(ZoneId.systemDefault());
        String hm = z.toLocalTime().truncatedTo(ChronoUnit.MINUTES).toString();
        return z.toLocalDate().equals(LocalDate.now()) ? hm : z.toLocalDate() + " " + hm;
    }

    String clock() { return clock(at); }

    boolean passed() { return !Instant.now().isBefore(at); }

    /**
     * The latest start (epoch milliseconds), by cell index, of each cell to run that would not finish before the
     * stop time at its estimate {@code est} and whose checkpoint could not be parked; {@code why} gets the reason
     * for each. A cell without an estimate, or whose trainable parameters no finished run tells, may start anytime.
     */
    Map<Integer, Long> latestStarts(List<Sweep.Planned> todo, Map<Integer, Double> est, RunTimes times, Map<Integer, String> why) {
        Map<Integer, Long> by = new TreeMap<>();
        for (Sweep.Planned p : todo) {
            Double s = est.get(p.cell().index());
            OptionalLong params = times.trainableParams(p.configId(), p.settings());
            if (s == null || params.isEmpty()) continue;                    // not known: it starts
            long bytes = Checkpoint.bytes(params.getAsLong());
            boolean overrides = !p.cell().overrides().isEmpty();
            if (!overrides && bytes <= ParkedCheckpoints.MAX_BYTES) continue; // parked at the stop time: nothing lost
            by.put(p.cell().index(), at.toEpochMilli() - Math.round(s * 1000));
            why.put(p.cell().index(), String.format(Locale.ROOT, "would not finish before the stop time %s (~%.0f min to go) and its checkpoint %s",
                    clock(), s / 60, overrides ? "is not parked (a cell with overrides)"
                            : String.format(Locale.ROOT, "(~%.0f MB) is too large to park", bytes / 1e6)));
        }
        return by;
    }

    /**
     * What a sweep started at {@code now} would do with each cell to run, one at a time in grid order
     * ({@code local[1]}) at its estimate: {@code runs 01:20-03:02}, {@code runs from 03:02 until the stop time,
     * then is parked (36 of its 116 min)}, {@code passed over: ...} or {@code not reached}; by cell index. After a
     * cell without an estimate the times are not known.
     */
    Map<Integer, String> schedule(List<Sweep.Planned> todo, Map<Integer, Double> est, Map<Integer, Long> startBy, Map<Integer, String> why,
                                  Instant now, boolean commit) {
        Map<Integer, String> out = new TreeMap<>();
        Instant t = now;
        for (Sweep.Planned p : todo) {
            int i = p.cell().index();
            Double s = est.get(i);
            if (t == null) out.put(i, "not known: a cell of unknown length runs before it");
            else if (!t.isBefore(at)) out.put(i, "not reached: the stop time " + clock() + " comes first");
            else if (startBy.containsKey(i) && t.toEpochMilli() > startBy.get(i)) out.put(i, "passed over: " + why.get(i));
            else if (s == null) {
                out.put(i, "starts " + clock(t) + "; its time is not known");
                t = null;
            } else {
                Instant end = t.plusMillis(Math.round(s * 1000));
                if (!end.isAfter(at)) out.put(i, "runs " + clock(t) + "-" + clock(end));
                else out.put(i, String.format(Locale.ROOT, "runs from %s until the stop time, then %s (%.0f of its %.0f min)", clock(t),
                        commit && p.cell().overrides().isEmpty() ? "is parked" : "keeps its checkpoint in the output folder",
                        t.until(at, ChronoUnit.SECONDS) / 60.0, s / 60));
                t = end.isAfter(at) ? at : end;
            }
        }
        return out;
    }

    /**
     * Waits until the stopping cells' children ({@code memtune train}) have written their checkpoints: in local
     * mode until this JVM has no child process left, at most their grace time and 10 s; on a cluster, where
     * they run on the workers, that whole time.
     */
    static void awaitChildren(boolean local) {
        long end = System.nanoTime() + (CellTask.STOP_GRACE_SECONDS + 10) * 1_000_000_000L;
        while ((!local || ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive)) && System.nanoTime() < end) Sweep.sleep(100);
    }
}
