package dev.memtune.kernel;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.*;

/**
 * A minimal Jupyter client written from the messaging spec, independently of the kernel's protocol library: signs
 * with HMAC-SHA256, talks to shell/control over DEALER sockets and listens on IOPub. Used by the
 * kernel's process tests and by {@link KernelBench}.
 */
public final class KernelClient implements AutoCloseable {
    static final String DELIM = "<IDS|MSG>";
    public final String key = UUID.randomUUID().toString();
    public final int[] ports = new int[5];          // shell, iopub, stdin, control, hb
    final String session = UUID.randomUUID().toString();
    private final ZContext ctx = new ZContext();
    private ZMQ.Socket shell, control, iopub;
    private final Gson gson = new Gson();

    public KernelClient() throws Exception {
        for (int i = 0; i < ports.length; i++) try (ServerSocket s = new ServerSocket(0)) { ports[i] = s.getLocalPort(); }
    }

    public Path writeConnectionFile(Path dir) throws Exception {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("shell_port", ports[0]); c.put("iopub_port", ports[1]); c.put("stdin_port", ports[2]);
        c.put("control_port", ports[3]); c.put("hb_port", ports[4]); c.put("ip", "127.0.0.1");
        c.put("key", key); c.put("transport", "tcp"); c.put("signature_scheme", "hmac-sha256"); c.put("kernel_name", "memtune");
        Path f = dir.resolve("connection.json");
        Files.writeString(f, gson.toJson(c));
        return f;
    }

    public void connect() {
        shell = ctx.createSocket(SocketType.DEALER); shell.connect("tcp://127.0.0.1:" + ports[0]);
        control = ctx.createSocket(SocketType.DEALER); control.connect("tcp://127.0.0.1:" + ports[3]);
        iopub = ctx.createSocket(SocketType.SUB); iopub.subscribe(new byte[0]); iopub.connect("tcp://127.0.0.1:" + ports[1]);
    }

    public String sign(String... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        for (String p : parts) mac.update(p.getBytes(StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder();
        for (byte b : mac.doFinal()) sb.append(String.format("%02x", b));
        return sb.toString();
    }

    /** Sends a request; {@code badSignature} corrupts the HMAC. Returns the msg_id. */
    public String send(boolean onControl, String type, Map<String, Object> content, boolean badSignature) throws Exception {
        String id = UUID.randomUUID().toString();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("msg_id", id); h.put("username", "test"); h.put("session", session);
        h.put("date", Instant.now().toString()); h.put("msg_type", type); h.put("version", "5.3");
        String header = gson.toJson(h), parent = "{}", meta = "{}", body = gson.toJson(content);
        String sig = sign(header, parent, meta, body);
        if (badSignature) sig = sig.substring(0, sig.length() - 4) + (sig.endsWith("0000") ? "1111" : "0000");
        ZMQ.Socket s = onControl ? control : shell;
        s.sendMore(DELIM); s.sendMore(sig); s.sendMore(header); s.sendMore(parent); s.sendMore(meta); s.send(body);
        return id;
    }

    public String execute(String code) throws Exception {
        return send(false, "execute_request", Map.of("code", code, "silent", false, "store_history", true,
                "user_expressions", Map.of(), "allow_stdin", false, "stop_on_error", true), false);
    }

    /** Next reply on shell (or control) within the timeout, or null. Verifies its signature. */
    public JsonObject reply(boolean onControl, long timeoutMs) throws Exception {
        return read(onControl ? control : shell, timeoutMs);
    }

    public JsonObject iopub(long timeoutMs) throws Exception { return read(iopub, timeoutMs); }

    private JsonObject read(ZMQ.Socket s, long timeoutMs) throws Exception {
        s.setReceiveTimeOut((int) timeoutMs);
        List<String> frames = new ArrayList<>();
        byte[] f = s.recv();
        if (f == null) return null;
        frames.add(new String(f, StandardCharsets.UTF_8));
        while (s.hasReceiveMore()) frames.add(new String(s.recv(), StandardCharsets.UTF_8));
        int d = frames.indexOf(DELIM);
        String sig = frames.get(d + 1);
        if (!sig.equals(sign(frames.get(d + 2), frames.get(d + 3), frames.get(d + 4), frames.get(d + 5))))
            throw new AssertionError("kernel sent a badly signed message");
        JsonObject m = new JsonObject();
        m.add("header", gson.fromJson(frames.get(d + 2), JsonObject.class));
        m.add("parent_header", gson.fromJson(frames.get(d + 3), JsonObject.class));
        m.add("content", gson.fromJson(frames.get(d + 5), JsonObject.class));
        return m;
    }

    /** Reads IOPub until the idle status of {@code parentId}; returns all its messages. */
    public List<JsonObject> iopubUntilIdle(String parentId, long timeoutMs) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            JsonObject m = iopub(Math.max(1, deadline - System.currentTimeMillis()));
            if (m == null) break;
            JsonObject ph = m.getAsJsonObject("parent_header");
            if (ph == null || !ph.has("msg_id") || !ph.get("msg_id").getAsString().equals(parentId)) continue;
            out.add(m);
            if (type(m).equals("status") && m.getAsJsonObject("content").get("execution_state").getAsString().equals("idle")) break;
        }
        return out;
    }

    public static String type(JsonObject m) { return m.getAsJsonObject("header").get("msg_type").getAsString(); }

    @Override public void close() { ctx.close(); }
}
