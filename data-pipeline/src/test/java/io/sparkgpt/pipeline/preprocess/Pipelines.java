package io.sparkgpt.pipeline.preprocess;

import io.sparkgpt.pipeline.read.ReadItem;
import io.sparkgpt.pipeline.read.ReadOptions;
import io.sparkgpt.pipeline.read.RecordReader;
import io.sparkgpt.pipeline.step.DocumentStep;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Test helpers: run readers and the recipe's document steps without Spark. */
public final class Pipelines {
    private Pipelines() {}

    public static List<ReadItem> read(Path file) throws IOException {
        return read(file.toString(), Files.readAllBytes(file), ReadOptions.defaults(), new TreeMap<>());
    }

    public static List<ReadItem> read(String name, byte[] bytes, ReadOptions o, Map<String, Long> counters)
            throws IOException {
        List<ReadItem> items = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream(bytes);
             RecordReader r = RecordReader.open(name, in, offset -> new ByteArrayInputStream(bytes,
                     (int) Math.min(offset, bytes.length), bytes.length), o, counters)) {
            while (r.hasNext()) {
                items.add(r.next());
            }
        }
        return items;
    }

    /** Runs each document of {@code items} through {@code steps}; returns the staging rows. */
    public static List<org.apache.spark.sql.Row> run(List<DocumentStep> steps, List<ReadItem> items,
                                                     Map<String, Long> counters) {
        DocumentPipeline p = new DocumentPipeline(steps, counters);
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (ReadItem i : items) {
            rows.add(p.process(i));
        }
        return rows;
    }
}
