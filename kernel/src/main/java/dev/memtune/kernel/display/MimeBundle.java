package dev.memtune.kernel.display;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One rendered value: MIME type to content ({@code text/plain}, {@code text/html}, base64
 * {@code image/png}), the {@code data} of Jupyter's display messages and of nbformat outputs.
 */
public final class MimeBundle {
    private final Map<String, String> data = new LinkedHashMap<>();

    public MimeBundle put(String mime, String content) { data.put(mime, content); return this; }

    public static MimeBundle text(String text) { return new MimeBundle().put("text/plain", text); }

    public String get(String mime) { return data.get(mime); }

    public Map<String, String> data() { return Collections.unmodifiableMap(data); }
}
