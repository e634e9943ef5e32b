package dev.memtune.kernel;

import org.dflib.jjava.jupyter.channels.ReplyEnvironment;
import org.dflib.jjava.jupyter.messages.publish.PublishStream;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code System.out}/{@code System.err} of the kernel process, published as Jupyter {@code stream}
 * messages of the request being executed. Text is batched and sent every {@value #FLUSH_MS} ms and
 * at the end of the cell; with no cell running it goes to the process's original streams (the
 * kernel log), so library chatter outside a cell never reaches a notebook.
 */
final class JupyterStreams {
    static final long FLUSH_MS = 100;

    private volatile ReplyEnvironment env;
    private final Stream out, err;

    JupyterStreams(PrintStream origOut, PrintStream origErr) {
        out = new Stream(PublishStream.StreamType.OUT, origOut);
        err = new Stream(PublishStream.StreamType.ERR, origErr);
        Thread flusher = new Thread(() -> {
            while (true) {
                try { Thread.sleep(FLUSH_MS); } catch (InterruptedException e) { return; }
                flush();
            }
        }, "memtune-stream-flush");
        flusher.setDaemon(true);
        flusher.start();
    }

    PrintStream out() { return new PrintStream(out, true, StandardCharsets.UTF_8); }
    PrintStream err() { return new PrintStream(err, true, StandardCharsets.UTF_8); }

    void attach(ReplyEnvironment env) { flush(); this.env = env; }

    void detach() { flush(); env = null; }

    void flush() { out.publish(); err.publish(); }

    /** Length of the longest prefix of {@code b} that does not end inside a UTF-8 multi-byte character. */
    static int completeUtf8Prefix(byte[] b) {
        for (int i = b.length - 1; i >= Math.max(0, b.length - 4); i--) {
            int x = b[i] & 0xFF;
            if (x < 0x80) return b.length;                                  // ASCII: complete
            if (x >= 0xC0) {                                                // lead byte: how long is its character?
                int len = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : 2;
                return i + len <= b.length ? b.length : i;
            }
        }
        return b.length;
    }

    private final class Stream extends OutputStream {
        private final PublishStream.StreamType type;
        private final PrintStream fallback;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Stream(PublishStream.StreamType type, PrintStream fallback) { this.type = type; this.fallback = fallback; }

        @Override public synchronized void write(int b) { buf.write(b); }
        @Override public synchronized void write(byte[] b, int off, int len) { buf.write(b, off, len); }
        @Override public void flush() { /* batched: see publish() */ }

        void publish() {
            String text;
            synchronized (this) {
                if (buf.size() == 0) return;
                byte[] bytes = buf.toByteArray();
                int end = completeUtf8Prefix(bytes);        // keep a character split across writes for next time
                text = new String(bytes, 0, end, StandardCharsets.UTF_8);
                buf.reset();
                buf.write(bytes, end, bytes.length - end);
                if (text.isEmpty()) return;
            }
            ReplyEnvironment e = env;
            if (e != null) e.publish(new PublishStream(type, text));
            else { fallback.print(text); fallback.flush(); }
        }
    }
}
