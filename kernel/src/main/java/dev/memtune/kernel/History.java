package dev.memtune.kernel;

import org.dflib.jjava.jupyter.messages.request.HistoryRequest;

import java.util.*;
import java.util.regex.Pattern;

/**
 * In-memory input history of this kernel process for Jupyter's {@code history_request}: tail, range
 * and glob search, each entry {@code [session, line, input]} or {@code [session, line, [input, output]]}.
 */
final class History {
    static final int SESSION = 1;

    private record Entry(int line, String input, String output) {}

    private final List<Entry> entries = new ArrayList<>();

    synchronized void add(int line, String input, String output) { entries.add(new Entry(line, input, output)); }

    synchronized List<Object> answer(HistoryRequest req) {
        List<Entry> picked;
        if (req instanceof HistoryRequest.Tail t) picked = last(entries, t.getMaxReturnLength());
        else if (req instanceof HistoryRequest.Range r) {
            picked = new ArrayList<>();
            for (Entry e : entries)
                if ((r.getSessionIndex() == SESSION || r.getSessionIndex() == 0) && e.line() >= r.getStart() && (r.getStop() <= 0 || e.line() < r.getStop())) picked.add(e);
        } else if (req instanceof HistoryRequest.Search s) {
            Pattern p = glob(s.getPattern() == null ? "*" : s.getPattern());
            List<Entry> matches = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = entries.size() - 1; i >= 0; i--) {               // newest first, so "unique" keeps the latest
                Entry e = entries.get(i);
                if (p.matcher(e.input()).matches() && (!s.filterUnique() || seen.add(e.input()))) matches.add(0, e);
            }
            picked = last(matches, s.getMaxReturnLength());
        } else picked = List.of();
        List<Object> out = new ArrayList<>();
        for (Entry e : picked) out.add(List.of(SESSION, e.line(), req.includeOutput() ? Arrays.asList(e.input(), e.output()) : e.input()));
        return out;
    }

    private static List<Entry> last(List<Entry> l, int n) { return n <= 0 || n >= l.size() ? l : l.subList(l.size() - n, l.size()); }

    /** Shell-style glob: {@code *} any text, {@code ?} one character. */
    static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char c : g.toCharArray()) re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
