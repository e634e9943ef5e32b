package dev.memtune.sweep;

import org.apache.spark.Success$;
import org.apache.spark.scheduler.*;

import java.util.*;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Listens to the Spark scheduler for the sweep: which cell each task belongs to (each cell is its own
 * job, tagged with the local property {@value #CELL}), how many attempts each cell started, which
 * executors ran them, and how many tasks are running now.
 */
final class SweepProgress extends SparkListener {
    static final String CELL = "memtune.sweep.cell";
    private final Map<Integer, Integer> stageCell = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> attempts = new ConcurrentHashMap<>();
    private final Map<Integer, Long> firstStart = new ConcurrentHashMap<>();
    private final Set<String> executors = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Integer> failedAttempts = new ConcurrentHashMap<>();
    private volatile int running;

    @Override
    public void onJobStart(SparkListenerJobStart e) {
        String c = e.properties() == null ? null : e.properties().getProperty(CELL);
        if (c == null) return;
        for (Object s : scala.jdk.javaapi.CollectionConverters.asJava(e.stageIds())) stageCell.put((Integer) s, Integer.parseInt(c));
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart e) {
        Integer c = stageCell.get(e.stageId());
        running++;
        executors.add(e.taskInfo().executorId());
        if (c == null) return;
        attempts.merge(c, 1, Integer::sum);
        firstStart.putIfAbsent(c, System.nanoTime());
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
        running = Math.max(0, running - 1);
        Integer c = stageCell.get(e.stageId());
        if (c != null && !(e.reason() instanceof Success$)) failedAttempts.merge(c, 1, Integer::sum);
    }

    int running() { return running; }
    int attempts(int cell) { return attempts.getOrDefault(cell, 0); }
    int failedAttempts() { return failedAttempts.values().stream().mapToInt(Integer::intValue).sum(); }
    /** When the cell's first attempt started ({@link System#nanoTime()}), or -1. */
    long started(int cell) { return firstStart.getOrDefault(cell, -1L); }
    Set<String> executors() { return executors; }
}
