package dev.memtune.sweep;

import java.io.Serializable;

/**
 * What a cell's Spark task sends back to the driver: the result JSON as the child wrote it (the driver
 * stores the same bytes under its output folder), where it ran and for how long; or, for a cell whose
 * latest start had passed when its turn came ({@code memtune sweep --stop-at}), why it did not start.
 *
 * @param executor     Spark executor id ({@code driver} in local mode)
 * @param worker       {@code host:work-folder} of the standalone worker (the executor's folder's grandparent), or the host
 * @param attempt      Spark's attempt number of the task that succeeded (0 = first try)
 * @param childSeconds wall time of the child JVM
 * @param log          the child's output on the executor's machine
 * @param notStarted   null when the cell ran; else why it was not started (no result then)
 */
public record CellOutcome(int index, String resultJson, String executor, String worker, int attempt, double childSeconds, String log,
                          String notStarted) implements Serializable {
    static CellOutcome notStarted(int index, String executor, String worker, int attempt, String why) {
        return new CellOutcome(index, null, executor, worker, attempt, 0, null, why);
    }
}
