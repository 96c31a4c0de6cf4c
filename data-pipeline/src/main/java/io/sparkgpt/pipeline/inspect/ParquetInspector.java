package io.sparkgpt.pipeline.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Looks into one Parquet folder of any step (documents, excluded, tokens, ...): files and size from the file
 * system, schema and row count from Spark, the first rows as JSON values (so maps, arrays and timestamps read the
 * same whatever the schema), and the {@code stats.json} of the step or of the job around it.
 */
public final class ParquetInspector {
    public static final String STATS = "stats.json";

    private final SparkSession spark;
    private final Storage storage;

    public ParquetInspector(SparkSession spark) {
        this.spark = spark;
        this.storage = new Storage(spark.sparkContext().hadoopConfiguration());
    }

    /**
     * @param rows     how many rows to show
     * @param truncate cut strings longer than this many characters and arrays longer than this many items;
     *                 0 keeps values whole
     */
    public InspectReport inspect(String input, int rows, int truncate) {
        storage.requireExists("input", input);
        Path dir = new Path(input);
        FileSystem fs = storage.fs(input);
        long[] counts = new long[3]; // files, Parquet files Spark reads, bytes
        try {
            FileStatus top = fs.getFileStatus(dir);
            if (top.isDirectory()) {
                walk(fs, dir, true, counts);
            } else {
                counts[0] = 1;
                counts[1] = dir.getName().endsWith(".parquet") ? 1 : 0;
                counts[2] = top.getLen();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + input, e);
        }
        long files = counts[0];
        long parquet = counts[1];
        long bytes = counts[2];
        if (parquet == 0) {
            throw new UsageException("input " + input + " holds no Parquet files" + subfolderHint(fs, dir));
        }

        Dataset<Row> df;
        try {
            // only *.parquet: a stats.json or notes file inside the folder must not break the read
            df = spark.read().option("pathGlobFilter", "*.parquet").parquet(input);
        } catch (Exception e) {
            if (e instanceof AnalysisException) {
                throw new UsageException("input " + input + " is not readable as Parquet: " + e.getMessage(), e);
            }
            throw e;
        }
        long count = df.count();
        List<List<String>> sample = new ArrayList<>();
        ObjectMapper mapper = Json.mapper();
        for (String json : df.toJSON().takeAsList(rows)) {
            sample.add(formatRow(mapper, json, df.columns(), truncate));
        }

        String statsPath = null;
        String statsJson = null;
        Path parent = dir.getParent();
        for (Path candidate : parent == null ? List.of(new Path(dir, STATS))
                : List.of(new Path(dir, STATS), new Path(parent, STATS))) {
            if (storage.exists(candidate.toString())) {
                statsPath = candidate.toString();
                statsJson = storage.readString(statsPath);
                break;
            }
        }
        boolean complete = storage.isComplete(input);
        return new InspectReport(input, complete, files, parquet, bytes, count, df.schema().treeString(), sample,
                statsPath, statsJson);
    }

    /** One {@code name: value} line per column, in schema order; nulls (absent from toJSON) print as null. */
    static List<String> formatRow(ObjectMapper mapper, String json, String[] columns, int truncate) {
        JsonNode node;
        try {
            node = mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse a row Spark rendered as JSON: " + json, e);
        }
        List<String> lines = new ArrayList<>();
        for (String c : columns) {
            JsonNode v = node.get(c);
            lines.add(c + ": " + (v == null || v.isNull() ? "null" : format(mapper, v, truncate)));
        }
        return lines;
    }

    private static String format(ObjectMapper mapper, JsonNode v, int truncate) {
        if (truncate > 0) {
            v = cut(mapper, v, truncate);
        }
        if (v.isTextual()) {
            return v.textValue().replace("\n", "\\n");
        }
        return v.toString();
    }

    /** Strings cut at {@code max} characters and arrays at {@code max} items, at any depth. */
    private static JsonNode cut(ObjectMapper mapper, JsonNode v, int max) {
        if (v.isTextual() && v.textValue().length() > max) {
            String s = v.textValue();
            return mapper.getNodeFactory().textNode(s.substring(0, max) + "... (" + s.length() + " chars)");
        }
        if (v.isArray()) {
            var out = mapper.createArrayNode();
            for (int i = 0; i < Math.min(max, v.size()); i++) {
                out.add(cut(mapper, v.get(i), max));
            }
            if (v.size() > max) {
                out.add("... (" + v.size() + " items)");
            }
            return out;
        }
        if (v.isObject()) {
            var out = mapper.createObjectNode();
            Iterator<Map.Entry<String, JsonNode>> it = v.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(e.getKey(), cut(mapper, e.getValue(), max));
            }
            return out;
        }
        return v;
    }

    /**
     * Counts every file under {@code dir} (the size on disk), and the Parquet files Spark reads from it: those at
     * the top and in partition folders ({@code column=value}), not those of nested step folders.
     */
    private static void walk(FileSystem fs, Path dir, boolean readable, long[] counts) throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            if (s.isDirectory()) {
                walk(fs, s.getPath(), readable && name.contains("=") && !name.startsWith("_")
                        && !name.startsWith("."), counts);
            } else {
                counts[0]++;
                counts[2] += s.getLen();
                if (readable && name.endsWith(".parquet") && !name.startsWith("_") && !name.startsWith(".")) {
                    counts[1]++;
                }
            }
        }
    }

    private static String subfolderHint(FileSystem fs, Path dir) {
        try {
            List<String> names = new ArrayList<>();
            for (FileStatus s : fs.listStatus(dir)) {
                if (s.isDirectory()) {
                    names.add(s.getPath().getName());
                }
            }
            return names.isEmpty() ? "" : " (its folders: " + String.join(", ", names) + "; point --input at one)";
        } catch (IOException e) {
            return "";
        }
    }
}
