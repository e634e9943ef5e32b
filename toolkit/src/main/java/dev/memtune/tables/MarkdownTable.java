package dev.memtune.tables;

/**
 * The markdown this package writes (a heading, one pipe table, plain lines) as an HTML fragment for
 * notebooks; every cell is escaped. Not a general markdown renderer: the notebook report renders
 * markdown cells with a markdown library.
 */
final class MarkdownTable {
    private MarkdownTable() {}

    static String toHtml(String md) {
        StringBuilder sb = new StringBuilder();
        boolean inTable = false, header = false;
        for (String line : md.split("\n")) {
            String l = line.strip();
            if (l.startsWith("|")) {
                if (l.matches("\\|(\\s*-+\\s*\\|)+")) continue;                 // the header separator
                if (!inTable) { sb.append("<table>"); inTable = true; header = true; }
                String[] cells = l.substring(1, l.length() - 1).split("\\|", -1);
                sb.append("<tr>");
                for (String c : cells) sb.append(header ? "<th>" : "<td>").append(escape(c.strip())).append(header ? "</th>" : "</td>");
                sb.append("</tr>");
                header = false;
                continue;
            }
            if (inTable) { sb.append("</table>"); inTable = false; }
            if (l.startsWith("# ")) sb.append("<h4>").append(escape(l.substring(2))).append("</h4>");
            else if (!l.isEmpty()) sb.append("<p>").append(escape(l)).append("</p>");
        }
        if (inTable) sb.append("</table>");
        return sb.toString();
    }

    static String escape(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }
}
