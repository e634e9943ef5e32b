package dev.memtune.sweep;

import com.google.gson.*;
import tech.tablesaw.api.*;

import java.util.*;

/**
 * The outcome of a sweep, one {@link Row} per cell in grid order: {@code done} (trained now),
 * {@code reused} (a result with the same resolved settings existed), {@code failed} (after its
 * retries), {@code planned} (a dry run), or, with a stop time, {@code stopped} (running at the stop time:
 * its checkpoint written) and {@code not started} (the error says why).
 */
public record SweepReport(String grid, String master, List<Row> rows, double wallSeconds, double sparkStartSeconds, int slots,
                          List<String> executors) {

    /**
     * @param attempts     Spark task attempts this cell took (0 when not run)
     * @param seconds      driver-side time from the cell's first attempt starting to its result (retries included)
     * @param childSeconds wall time of the successful attempt's child JVM
     * @param source       the result file (reused: where it was found)
     */
    public record Row(Cell cell, String status, int attempts, String executor, String worker, double seconds, double childSeconds,
                      double validation, double test, String source, String error) {}

    public List<Row> failed() { return rows.stream().filter(r -> r.status.equals("failed")).toList(); }

    public long count(String status) { return rows.stream().filter(r -> r.status.equals(status)).count(); }

    /** Cells that needed more than one attempt. */
    public long retried() { return rows.stream().filter(r -> r.attempts > 1).count(); }

    /** Distinct workers ({@code host:folder}) whose executors finished cells. */
    public long workers() { return rows.stream().filter(r -> r.worker != null).map(Row::worker).distinct().count(); }

    /**
     * Scheduling overhead per trained cell: the sweep's wall time after the Spark context was up, times
     * the slots that ran cells side by side, less the cells' own child-JVM time (and the time of cells
     * stopped at a stop time), over the cells trained. NaN when nothing was trained.
     */
    public double overheadPerCell() {
        List<Row> ran = rows.stream().filter(r -> r.status.equals("done")).toList();
        if (ran.isEmpty()) return Double.NaN;
        double child = ran.stream().mapToDouble(Row::childSeconds).sum()
                + rows.stream().filter(r -> r.status.equals(Sweep.STOPPED) && Double.isFinite(r.seconds)).mapToDouble(Row::seconds).sum();
        return ((wallSeconds - sparkStartSeconds) * Math.min(slots, ran.size()) - child) / ran.size();
    }

    /** One row per cell: the grid's coordinates, status, attempts, worker, times and the scores. */
    public Table table() {
        Table t = Table.create("sweep " + grid,
                IntColumn.create("cell"), StringColumn.create("config"), StringColumn.create("task"), IntColumn.create("seed"),
                StringColumn.create("overrides"), StringColumn.create("status"), IntColumn.create("attempts"), StringColumn.create("worker"),
                DoubleColumn.create("seconds"), DoubleColumn.create("validation"), DoubleColumn.create("test"));
        for (Row r : rows) {
            t.intColumn("cell").append(r.cell.index());
            t.stringColumn("config").append(r.cell.config().replaceAll("\\.json$", ""));
            t.stringColumn("task").append(r.cell.task());
            t.intColumn("seed").append(r.cell.seed());
            t.stringColumn("overrides").append(r.cell.overrides().isEmpty() ? "" : r.cell.overrides().toString());
            t.stringColumn("status").append(r.status);
            t.intColumn("attempts").append(r.attempts);
            t.stringColumn("worker").append(r.worker == null ? "" : r.worker);
            t.doubleColumn("seconds").append(Math.round(r.seconds * 10) / 10.0);
            t.doubleColumn("validation").append(r.validation);
            t.doubleColumn("test").append(r.test);
        }
        return t;
    }

    /** The report as JSON ({@code <out>/sweep/<grid>.json}). */
    public JsonObject json() {
        JsonObject o = new JsonObject();
        o.addProperty("grid", grid);
        o.addProperty("master", master);
        o.addProperty("cells", rows.size());
        for (String s : List.of("done", "reused", "failed", "planned")) o.addProperty(s, count(s));
        o.addProperty("retried", retried());
        o.addProperty("workers", workers());
        o.addProperty("executors", executors.size());
        JsonArray ex = new JsonArray();
        executors.forEach(ex::add);
        o.add("executor_ids", ex);
        o.addProperty("wall_seconds", wallSeconds);
        o.addProperty("spark_start_seconds", sparkStartSeconds);
        o.addProperty("slots", slots);
        double ov = overheadPerCell();
        if (Double.isFinite(ov)) o.addProperty("overhead_seconds_per_cell", ov);
        JsonArray a = new JsonArray();
        for (Row r : rows) {
            JsonObject c = new JsonObject();
            c.addProperty("cell", r.cell.index());
            c.addProperty("label", r.cell.label());
            c.addProperty("config", r.cell.config());
            c.addProperty("task", r.cell.task());
            c.addProperty("seed", r.cell.seed());
            c.addProperty("scale", r.cell.scale());
            JsonObject ov2 = new JsonObject();
            r.cell.overrides().forEach(ov2::addProperty);
            c.add("overrides", ov2);
            c.addProperty("status", r.status);
            c.addProperty("attempts", r.attempts);
            c.addProperty("executor", r.executor);
            c.addProperty("worker", r.worker);
            if (Double.isFinite(r.seconds)) c.addProperty("seconds", r.seconds);
            if (Double.isFinite(r.childSeconds)) c.addProperty("child_seconds", r.childSeconds);
            if (Double.isFinite(r.validation)) c.addProperty("validation", r.validation);
            if (Double.isFinite(r.test)) c.addProperty("test", r.test);
            c.addProperty("result", r.source);
            c.addProperty("error", r.error);
            a.add(c);
        }
        o.add("rows", a);
        return o;
    }
}
