package io.sparkgpt.pipeline.inspect;

import java.util.List;
import java.util.Locale;

/**
 * What {@code inspect} found in one Parquet folder. {@link #render()} is the text the job prints (and writes with
 * {@code --report}).
 *
 * @param input       the folder as given
 * @param complete    whether it holds its {@code _SUCCESS} marker (a step output is complete only with it)
 * @param files       all files under it, recursively (Parquet, markers, stats)
 * @param parquetFiles the {@code *.parquet} files among them
 * @param bytes       the sum of the lengths of all files: the size on disk (or in the bucket)
 * @param rows        row count
 * @param schema      Spark's tree form of the schema
 * @param sampleRows  the first rows, one {@code name: value} line per column each
 * @param statsPath   where {@code stats.json} was found (the folder, else its parent), or null
 * @param statsJson   its content, or null
 */
public record InspectReport(String input, boolean complete, long files, long parquetFiles, long bytes, long rows,
                            String schema, List<List<String>> sampleRows, String statsPath, String statsJson) {

    public InspectReport {
        sampleRows = sampleRows.stream().map(List::copyOf).toList();
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        b.append("input: ").append(input)
                .append(complete ? " (complete: _SUCCESS present)" : " (INCOMPLETE: no _SUCCESS marker)").append('\n');
        b.append("size: ").append(human(bytes)).append(" (").append(String.format(Locale.ROOT, "%,d", bytes))
                .append(" bytes) in ").append(files).append(" files, ").append(parquetFiles).append(" Parquet\n");
        b.append("rows: ").append(String.format(Locale.ROOT, "%,d", rows)).append('\n');
        b.append("schema:\n").append(schema.strip()).append('\n');
        b.append("first ").append(sampleRows.size()).append(" rows:\n");
        for (int i = 0; i < sampleRows.size(); i++) {
            b.append("-- row ").append(i + 1).append('\n');
            for (String line : sampleRows.get(i)) {
                b.append("  ").append(line).append('\n');
            }
        }
        if (statsPath == null) {
            b.append("stats.json: none beside the input\n");
        } else {
            b.append("stats.json (").append(statsPath).append("):\n").append(statsJson.strip()).append('\n');
        }
        return b.toString();
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
