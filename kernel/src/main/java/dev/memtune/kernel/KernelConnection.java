package dev.memtune.kernel;

import org.dflib.jjava.jupyter.channels.*;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Message;
import org.zeromq.ZMQ;

import java.io.PrintStream;
import java.time.LocalTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernel's five ZeroMQ sockets, bound to the address of the connection file only, on
 * jjava-jupyter's channels (message framing, HMAC signing and checking). Shell and control
 * requests are read by our own loops rather than the library's: those poll with a 50 ms sleep (and
 * in IJava's basekernel died on the first message with a bad signature); ours drop such a message,
 * log it, and block on the poller.
 */
final class KernelConnection implements AutoCloseable {

    /** Handles one request; the environment publishes on IOPub and replies on the request's socket. */
    interface Handler { void handle(ShellReplyEnvironment env, Message<?> request) throws Exception; }

    private final KernelConnectionProperties props;
    private final ZMQ.Context ctx = ZMQ.context(1);
    private final HeartbeatChannel heartbeat;
    private final IOPubChannel iopub;
    private final StdinChannel stdin;
    private final RequestChannel shell, control;
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final PrintStream log;
    private volatile boolean closed;

    /** @param log the kernel's own log (the process's original stderr, which Jupyter shows in its server log) */
    KernelConnection(KernelConnectionProperties props, PrintStream log) throws Exception {
        this.props = props;
        this.log = log;
        HMACGenerator hmac = props.createHMACGenerator();
        heartbeat = new HeartbeatChannel(ctx, hmac);
        iopub = new IOPubChannel(ctx, hmac);
        stdin = new StdinChannel(ctx, hmac);
        shell = new RequestChannel(ctx, hmac, false);
        control = new RequestChannel(ctx, hmac, true);
    }

    void on(String msgType, Handler h) { handlers.put(msgType, h); }

    IOPubChannel iopub() { return iopub; }

    void connect() {
        heartbeat.bind(props);
        iopub.bind(props);
        stdin.bind(props);
        shell.bind(props);
        control.bind(props);
    }

    /** Blocks until {@link #close()} (a shutdown request). */
    void awaitClose() throws InterruptedException {
        shell.loop.join();
        control.loop.join();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        shell.running = false;
        control.running = false;
    }

    private void closeSockets() {
        heartbeat.close();
        iopub.close();
        stdin.close();
        shell.close();
        control.close();
        ctx.term();
    }

    private void log(String message) {
        log.println("[memtune kernel " + LocalTime.now().withNano(0) + "] " + message);
        log.flush();
    }

    /** A ROUTER socket (shell or control) read by a blocking poll loop that survives bad messages. */
    private final class RequestChannel extends ShellChannel {
        private final String name;
        private Thread loop;
        private volatile boolean running = true;

        RequestChannel(ZMQ.Context ctx, HMACGenerator hmac, boolean isControl) {
            super(ctx, hmac, isControl, null);
            this.name = isControl ? "control" : "shell";
        }

        @Override
        public void bind(KernelConnectionProperties p) {
            String address = formatAddress(p.getTransport(), p.getIp(), name.equals("control") ? p.getControlPort() : p.getShellPort());
            if (!super.bind(address)) throw new IllegalStateException("cannot bind " + name + " to " + address);
            ZMQ.Poller poller = ctx.poller(1);
            poller.register(this, ZMQ.Poller.POLLIN);
            loop = new Thread(() -> {
                while (running) {
                    if (poller.poll(100) <= 0) continue;
                    handleOne();
                }
                if (name.equals("control")) { try { shell.loop.join(); } catch (InterruptedException ignored) { } closeSockets(); }
            }, "memtune-" + name);
            loop.start();
        }

        private void handleOne() {
            Message<?> msg;
            try {
                msg = readMessage();
            } catch (RuntimeException e) {     // bad signature (SecurityException), malformed JSON
                log("dropped a message on " + name + ": " + e.getMessage());
                return;
            }
            Handler h = handlers.get(msg.getHeader().getType().getName());
            if (h == null) {
                log("no handler for " + msg.getHeader().getType().getName() + " on " + name);
                return;
            }
            ShellReplyEnvironment env = new ShellReplyEnvironment(this, stdin, iopub, msg) { };
            try {
                h.handle(env, msg);
            } catch (Exception e) {
                log("handler for " + msg.getHeader().getType().getName() + " failed: " + e);
                e.printStackTrace(log);
            } finally {
                env.resolveDeferrals();
            }
            if (env.isMarkedForShutdown()) KernelConnection.this.close();
        }
    }
}
