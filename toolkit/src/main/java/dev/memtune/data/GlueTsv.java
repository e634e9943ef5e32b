package dev.memtune.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader of the official GLUE TSV layout: tab-separated, no quoting ({@code csv.QUOTE_NONE}),
 * a header line except for CoLA. Column positions are those of the GLUE/Hugging Face processors
 * ({@code transformers/data/processors/glue.py}); a negative position counts from the end
 * (-1 = last column, as {@code line[-1]}).
 *
 * <p>Every data row must have exactly {@code columns} fields (or at least {@code columns} when
 * {@code minColumns} is set: MNLI's dev files carry more annotator labels than train); a row with
 * another count, an unknown label string or an unparsable score is a {@link DataException} naming
 * the file and line.
 *
 * @param header    whether the first line is a header (skipped)
 * @param columns   number of fields per row
 * @param minColumns whether {@code columns} is a minimum rather than an exact count
 * @param idColumn  column holding the row id, or {@code NONE} for {@code <split>-<row>}
 * @param textA     column of the first sentence
 * @param textB     column of the second sentence, or {@code NONE}
 * @param label     column of the label
 * @param labels    label strings in class-index order; null for a float score (STS-B)
 */
public record GlueTsv(boolean header, int columns, boolean minColumns, int idColumn, int textA, int textB,
                      int label, List<String> labels) implements SplitReader {
    public static final int NONE = Integer.MIN_VALUE;

    @Override
    public List<Example> read(List<Path> files, String split) throws IOException {
        Path file = files.get(0);
        List<Example> out = new ArrayList<>();
        TextFiles.forEach(file, (lineNo, line) -> {
            if (header && lineNo == 1) return;
            String[] f = TextFiles.tabs(line);
            if (minColumns ? f.length < columns : f.length != columns)
                throw new DataException(file, lineNo, "expected " + (minColumns ? "at least " : "") + columns
                        + " tab-separated fields, found " + f.length);
            String id = idColumn == NONE ? split + "-" + out.size() : col(f, idColumn);
            String b = textB == NONE ? null : col(f, textB);
            out.add(Example.pair(id, col(f, textA), b, parseLabel(col(f, label), file, lineNo)));
        });
        return out;
    }

    private double parseLabel(String s, Path file, long line) {
        if (labels == null) {
            try {
                double v = Double.parseDouble(s);
                if (Double.isFinite(v)) return v;
            } catch (NumberFormatException ignored) { /* reported below */ }
            throw new DataException(file, line, "score '" + s + "' is not a finite number");
        }
        int k = labels.indexOf(s);
        if (k < 0) throw new DataException(file, line, "label '" + s + "' is not one of " + labels);
        return k;
    }

    private static String col(String[] f, int c) {
        return f[c < 0 ? f.length + c : c];
    }
}
