package dev.memtune.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds GLUE's MRPC {@code train.tsv} and {@code dev.tsv} from Microsoft's
 * {@code msr_paraphrase_train.txt} and GLUE's {@code mrpc_dev_ids.tsv}, exactly as
 * {@code download_glue_data.py} ({@code format_mrpc}) does: the header line is copied to both
 * files as is; every other line is stripped of surrounding whitespace, split on tabs into
 * (label, id1, id2, s1, s2) and written as {@code label\tid1\tid2\ts1\ts2\n} to dev when (id1, id2)
 * is a pair of the dev-id file, else to train.
 */
public final class MrpcSplit {
    private MrpcSplit() {}

    /** Writes {@code trainOut} and {@code devOut}; returns their data row counts {train, dev}. */
    public static int[] build(Path msrTrain, Path devIds, Path trainOut, Path devOut) throws IOException {
        Set<String> dev = new HashSet<>();
        List<String> idLines = TextFiles.lines(devIds);
        for (int i = 0; i < idLines.size(); i++) {
            String[] f = idLines.get(i).strip().split("\t", -1);
            if (f.length != 2) throw new DataException(devIds, i + 1, "expected 2 tab-separated ids, found " + f.length);
            dev.add(f[0] + "\t" + f[1]);
        }
        String text = Files.readString(msrTrain, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        if (nl < 0) throw new DataException(msrTrain, 1, "no header line");
        String header = text.substring(0, nl).replaceAll("\r$", "") + "\n";
        StringBuilder train = new StringBuilder(header), devText = new StringBuilder(header);
        int nTrain = 0, nDev = 0;
        List<String> lines = text.substring(nl + 1).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).strip().split("\t", -1);
            if (f.length != 5) throw new DataException(msrTrain, i + 2, "expected 5 tab-separated fields (Quality, #1 ID, #2 ID, #1 String, #2 String), found " + f.length);
            String row = String.join("\t", f) + "\n";
            if (dev.contains(f[1] + "\t" + f[2])) { devText.append(row); nDev++; } else { train.append(row); nTrain++; }
        }
        Files.writeString(trainOut, train, StandardCharsets.UTF_8);
        Files.writeString(devOut, devText, StandardCharsets.UTF_8);
        return new int[] {nTrain, nDev};
    }
}
