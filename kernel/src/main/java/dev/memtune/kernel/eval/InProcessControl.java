package dev.memtune.kernel.eval;

import jdk.jshell.execution.DirectExecutionControl;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JShell execution inside the kernel's own JVM (IJava's approach): snippets run on one dedicated
 * cell thread, and each snippet's value is kept as a live object under a key that JShell carries
 * back as the "value string", so the kernel can render the real object (a Table, a chart).
 * <p>
 * {@link #stop()} first interrupts the cell thread (toolkit loops call
 * {@code Progress.checkInterrupted()} and unwind cleanly); if the cell is still running after a
 * grace period (a plain {@code while (true) {}}) the thread is stopped with {@link Thread#stop()},
 * which JDK 17 still honours. Either way the kernel and the cell thread live on.
 */
final class InProcessControl extends DirectExecutionControl {
    private static final Object NULL = new Object();
    private static final long STOP_GRACE_MS = 1000;

    private volatile ExecutorService cellThread = newCellThread();
    private volatile Future<Object> runningTask;
    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private final AtomicLong keys = new AtomicLong();
    private volatile Thread running;
    private volatile long cellThreadId = -1;
    private volatile boolean stopRequested;
    private volatile boolean inCell, pendingStop;   // an interrupt while the cell still compiles stops it as it starts
    /** JShell's class loader: snippet classes and every jar added to the class path. */
    private final ClassLoader loader;

    InProcessControl() {
        super();      // DirectExecutionControl's DefaultLoaderDelegate makes its loader this thread's context loader
        loader = Thread.currentThread().getContextClassLoader();
    }

    /** The loader of snippet classes and of jars added with {@code addToClasspath}. */
    ClassLoader classLoader() { return loader; }

    /** The evaluator brackets each cell with these; an interrupt between them is never lost. */
    void beginCell() { pendingStop = false; inCell = true; }

    void endCell() { inCell = false; pendingStop = false; }
    private volatile Throwable lastThrown;

    @Override
    protected String invoke(Method doit) throws Exception {
        Future<Object> f = cellThread.submit(() -> {
            running = Thread.currentThread();
            cellThreadId = running.getId();
            if (pendingStop) { pendingStop = false; stop(); }
            try {
                return doit.invoke(null);
            } finally {
                if (running == Thread.currentThread()) running = null;
            }
        });
        runningTask = f;
        try {
            Object v = f.get();
            String key = "memtune$value$" + keys.incrementAndGet();
            results.put(key, v == null ? NULL : v);
            return key;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            Throwable user = c instanceof InvocationTargetException ? c.getCause() : c;
            if (user instanceof ThreadDeath && stopRequested) throw new StoppedException();
            lastThrown = user;
            if (c instanceof InvocationTargetException ite) throw ite;   // the base class maps it (incl. unresolved references)
            throw new InvocationTargetException(c);
        } catch (CancellationException e) {                                // abandoned by stop(): see forceStop
            throw new StoppedException();
        } finally {
            runningTask = null;
        }
    }

    private static ExecutorService newCellThread() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "memtune-cell", 0);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Ends a cell that ignored the interrupt: {@link Thread#stop()} on JDK 17-19; where the JDK no
     * longer supports it (20+), the runaway thread is abandoned and later cells get a fresh one.
     */
    @SuppressWarnings("deprecation")
    private void forceStop(Thread t) {
        try {
            t.stop();
        } catch (UnsupportedOperationException e) {
            ExecutorService old = cellThread;
            cellThread = newCellThread();
            Future<Object> f = runningTask;
            running = null;
            if (f != null) f.cancel(true);
            old.shutdownNow();
        }
    }

    /** Takes (and forgets) the live value behind a key from {@link #invoke}; null if none. */
    Object takeResult(String key) {
        Object v = results.remove(key);
        return v == NULL ? null : v;
    }

    boolean hasResult(String key) { return results.containsKey(key); }

    /** Drops values nobody asked for (values of re-evaluated dependent snippets). */
    void clearResults() { results.clear(); }

    /** The live throwable of the last failed snippet (cleared on read). */
    Throwable takeLastThrown() {
        Throwable t = lastThrown;
        lastThrown = null;
        return t;
    }

    /** True once after a {@link #stop()} that hit a running cell. */
    boolean takeStopped() {
        boolean s = stopRequested;
        stopRequested = false;
        return s;
    }

    /** Id of the cell thread, for CPU-time measurements ({@code %%time}); -1 before the first cell. */
    long cellThreadId() { return cellThreadId; }

    boolean isRunning() { return running != null; }

    @Override
    public void stop() {
        Thread t = running;
        if (t == null) {
            if (inCell) pendingStop = true;
            return;
        }
        stopRequested = true;
        t.interrupt();
        Thread watchdog = new Thread(() -> {
            long deadline = System.currentTimeMillis() + STOP_GRACE_MS;
            while (running == t && System.currentTimeMillis() < deadline) {
                try { Thread.sleep(20); } catch (InterruptedException e) { return; }
            }
            if (running == t) forceStop(t);   // the cell ignored the interrupt
        }, "memtune-stop");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    @Override
    public void close() {
        cellThread.shutdownNow();
        super.close();
    }
}
