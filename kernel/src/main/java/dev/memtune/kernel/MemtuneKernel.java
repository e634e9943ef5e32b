package dev.memtune.kernel;

import dev.memtune.Version;
import dev.memtune.kernel.display.MimeBundle;
import dev.memtune.kernel.display.Output;
import dev.memtune.kernel.eval.CellException;
import dev.memtune.kernel.eval.Evaluator;
import org.dflib.jjava.jupyter.channels.ReplyEnvironment;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.publish.*;
import org.dflib.jjava.jupyter.messages.request.*;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.*;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * The Jupyter kernel: Jupyter messaging protocol 5.3 over {@link KernelConnection}, cells executed
 * by a {@link Session}, on JJava's protocol library ({@code org.dflib.jjava:jjava-jupyter}, the
 * maintained fork of IJava's basekernel) for message types, signing and sockets. Every reply
 * carries {@code status} (IJava's basekernel 2.3.0 left it out of {@code kernel_info_reply}, which
 * Jupyter's conformance suite rejects), so replies are built here.
 * Interrupts arrive as {@code interrupt_request} on the control channel ({@code interrupt_mode:
 * message}) or as SIGINT.
 */
public final class MemtuneKernel {
    public static final String PROTOCOL_VERSION = "5.3";

    private final KernelConnection connection;
    private final JupyterStreams streams;
    private final java.util.concurrent.CompletableFuture<Session> session;
    private volatile ReplyEnvironment current;
    private int executionCount;
    private final History history = new History();
    private final List<Map<String, Object>> payloads = new java.util.concurrent.CopyOnWriteArrayList<>();

    private MemtuneKernel(KernelConnectionProperties props) throws Exception {
        quietLogging();
        PrintStream kernelLog = System.err;
        streams = new JupyterStreams(System.out, System.err);
        System.setOut(streams.out());
        System.setErr(streams.err());
        // JShell and the startup imports warm up while the sockets bind and the client says hello
        Path cwd = Path.of("").toAbsolutePath();
        session = java.util.concurrent.CompletableFuture.supplyAsync(() -> Session.create(new IopubOutput(), cwd));
        connection = new KernelConnection(props, kernelLog);
        connection.on("kernel_info_request", this::kernelInfo);
        connection.on("execute_request", this::execute);
        connection.on("complete_request", this::complete);
        connection.on("inspect_request", this::inspect);
        connection.on("is_complete_request", this::isComplete);
        connection.on("history_request", (env, m) -> {
            env.setBusyDeferIdle();
            reply(env, m, "history_reply", Map.of("status", "ok", "history", history.answer((HistoryRequest) m.getContent())));
        });
        connection.on("comm_info_request", (env, m) -> reply(env, m, "comm_info_reply", Map.of("status", "ok", "comms", Map.of())));
        connection.on("interrupt_request", this::interrupt);
        connection.on("shutdown_request", this::shutdown);
    }

    /** Starts a kernel on a connection file and blocks until it is shut down. */
    public static void run(Path connectionFile) throws Exception {
        String json = java.nio.file.Files.readString(connectionFile);
        MemtuneKernel k = new MemtuneKernel(KernelConnectionProperties.parse(json));
        k.installSigint();
        k.connection.connect();
        k.connection.awaitClose();
    }

    /** Library logging (java.util.logging; slf4j is bound to slf4j-nop) never reaches a notebook. */
    public static void quietLogging() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.OFF);
    }

    private void installSigint() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> interruptCell());
        } catch (IllegalArgumentException | UnsupportedOperationException ignored) {
            // signal not available here: interrupt_request still works
        }
    }

    private void interruptCell() {
        Session s = session.getNow(null);
        if (s != null) s.interrupt();
    }

    private void kernelInfo(ShellReplyEnvironment env, Message<?> m) {
        env.setBusyDeferIdle();
        Map<String, Object> lang = new LinkedHashMap<>();
        lang.put("name", "java");
        lang.put("version", Runtime.version().toString());
        lang.put("mimetype", "text/x-java-source");
        lang.put("file_extension", ".jshell");
        lang.put("pygments_lexer", "java");
        lang.put("codemirror_mode", "text/x-java");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("status", "ok");
        c.put("protocol_version", PROTOCOL_VERSION);
        c.put("implementation", "memtune");
        c.put("implementation_version", Version.VERSION);
        c.put("language_info", lang);
        c.put("banner", "Java " + Runtime.version() + " (memtune " + Version.VERSION + "): JShell with the memtune toolkit; magics: %"
                + String.join(" %", dev.memtune.kernel.magic.Magics.LINE.keySet()) + " %%" + String.join(" %%", dev.memtune.kernel.magic.Magics.CELL.keySet()));
        c.put("help_links", List.of(Map.of("text", "memtune", "url", "https://github.com/")));
        reply(env, m, "kernel_info_reply", c);
    }

    private void execute(ShellReplyEnvironment env, Message<?> m) {
        ExecuteRequest req = (ExecuteRequest) m.getContent();
        env.setBusyDeferIdle();
        boolean silent = req.isSilent();
        int count = silent ? executionCount : ++executionCount;
        if (!silent) env.publish(new PublishExecuteInput(req.getCode(), count));
        current = env;
        streams.attach(env);
        Map<String, Object> c = new LinkedHashMap<>();
        String shown = null;
        payloads.clear();
        try {
            Object v = session.join().execute(req.getCode());
            streams.flush();
            if (v != Evaluator.NO_VALUE && !silent) {
                MimeBundle b = session.join().render(v);
                shown = b.get("text/plain");
                env.publish(new PublishExecuteResult(count, displayData(b, null)));
            }
            c.put("status", "ok");
            c.put("execution_count", count);
            c.put("user_expressions", Map.of());
            c.put("payload", List.copyOf(payloads));
        } catch (CellException e) {
            streams.flush();
            env.publish(new PublishError(e.ename(), e.evalue(), e.traceback()));
            c.put("status", "error");
            c.put("execution_count", count);
            c.put("ename", e.ename());
            c.put("evalue", e.evalue());
            c.put("traceback", e.traceback());
        } catch (RuntimeException | Error e) {       // a kernel bug or a renderer failure: report it, keep serving
            streams.flush();
            List<String> tb = List.of(e.toString());
            env.publish(new PublishError(e.getClass().getName(), String.valueOf(e.getMessage()), tb));
            c.put("status", "error");
            c.put("execution_count", count);
            c.put("ename", e.getClass().getName());
            c.put("evalue", String.valueOf(e.getMessage()));
            c.put("traceback", tb);
        } finally {
            streams.detach();
            current = null;
            if (!silent && req.shouldStoreHistory()) history.add(count, req.getCode(), shown);
        }
        reply(env, m, "execute_reply", c);
    }

    private void complete(ShellReplyEnvironment env, Message<?> m) {
        CompleteRequest req = (CompleteRequest) m.getContent();
        env.setBusyDeferIdle();
        Evaluator.Completion comp = session.join().complete(req.getCode(), req.getCursorPos());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("status", "ok");
        c.put("matches", comp.matches());
        c.put("cursor_start", comp.start());
        c.put("cursor_end", comp.end());
        c.put("metadata", Map.of());
        reply(env, m, "complete_reply", c);
    }

    private void inspect(ShellReplyEnvironment env, Message<?> m) {
        InspectRequest req = (InspectRequest) m.getContent();
        env.setBusyDeferIdle();
        Optional<String> doc = session.join().inspect(req.getCode(), req.getCursorPos());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("status", "ok");
        c.put("found", doc.isPresent());
        c.put("data", doc.<Map<String, Object>>map(d -> Map.of("text/plain", d)).orElse(Map.of()));
        c.put("metadata", Map.of());
        reply(env, m, "inspect_reply", c);
    }

    private void isComplete(ShellReplyEnvironment env, Message<?> m) {
        IsCompleteRequest req = (IsCompleteRequest) m.getContent();
        env.setBusyDeferIdle();
        String status = session.join().isComplete(req.getCode());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("status", status);
        if (status.equals("incomplete")) c.put("indent", "");
        reply(env, m, "is_complete_reply", c);
    }

    private void interrupt(ShellReplyEnvironment env, Message<?> m) {
        interruptCell();
        reply(env, m, "interrupt_reply", Map.of("status", "ok"));
    }

    private void shutdown(ShellReplyEnvironment env, Message<?> m) {
        ShutdownRequest req = (ShutdownRequest) m.getContent();
        interruptCell();
        reply(env, m, "shutdown_reply", Map.of("status", "ok", "restart", req.isRestart()));
        env.markForShutdown();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void reply(ShellReplyEnvironment env, Message<?> request, String type, Map<String, ?> content) {
        env.reply(new Message(request, (MessageType) MessageType.getType(type), content));
    }

    static DisplayData displayData(MimeBundle b, String displayId) {
        DisplayData d = new DisplayData();
        b.data().forEach(d::putData);
        if (displayId != null) d.setDisplayId(displayId);
        return d;
    }

    /** Rich output of the running cell, published on IOPub with the execute request as parent. */
    private final class IopubOutput implements Output {
        @Override public void display(MimeBundle bundle, String displayId) {
            ReplyEnvironment env = current;
            if (env == null) return;
            streams.flush();
            env.publish(new PublishDisplayData(displayData(bundle, displayId)));
        }

        @Override public void page(MimeBundle bundle) {
            payloads.add(Map.of("source", "page", "data", bundle.data(), "start", 0));
        }

        @Override @SuppressWarnings({"unchecked", "rawtypes"}) public void clear() {
            ReplyEnvironment env = current;
            if (env == null) return;
            streams.flush();
            env.publish(new Message(((org.dflib.jjava.jupyter.channels.DefaultReplyEnvironment) env).getContext(),
                    (MessageType) MessageType.PUBLISH_CLEAR_OUTPUT, Map.of("wait", false)));
        }

        @Override public void update(MimeBundle bundle, String displayId) {
            ReplyEnvironment env = current;
            if (env == null) return;
            streams.flush();
            env.publish(new PublishUpdateDisplayData(displayData(bundle, displayId)));
        }
    }
}
