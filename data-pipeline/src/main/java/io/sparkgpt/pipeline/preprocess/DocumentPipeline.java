package io.sparkgpt.pipeline.preprocess;

import io.sparkgpt.pipeline.read.ReadItem;
import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;
import io.sparkgpt.pipeline.step.Schemas;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Runs the per-document steps of a recipe on one document and turns the outcome into a staging row: kept,
 * excluded by a step (with its reason), or an error (a step that threw on this document: the document is named by
 * file and offset and the task goes on). Counts, per step, documents and bytes in and kept, drops by reason, and
 * time, into the task's counter map.
 */
public final class DocumentPipeline {
    private final List<DocumentStep> steps;
    private final Map<String, Long> sink;
    private final Counters[] counters;

    public DocumentPipeline(List<DocumentStep> steps, Map<String, Long> sink) {
        this.steps = steps;
        this.sink = sink;
        this.counters = new Counters[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            counters[i] = Counters.of(steps.get(i).name(), sink);
        }
    }

    public Row process(ReadItem item) {
        if (item.isError()) {
            return errorRow(item.errorFile(), item.errorOffset(), item.errorMessage());
        }
        Document d = item.document();
        for (int i = 0; i < steps.size(); i++) {
            DocumentStep step = steps.get(i);
            String name = step.name();
            long bytesIn = d.size();
            add(name + ".in", 1);
            add(name + ".bytes_in", bytesIn);
            long t0 = System.nanoTime();
            String reason;
            try {
                reason = step.process(d, counters[i]);
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                add(name + ".nanos", System.nanoTime() - t0);
                add(name + ".dropped.error", 1);
                String msg = name + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage());
                return errorRow(d.source, d.offset, msg.length() > 500 ? msg.substring(0, 500) : msg);
            }
            add(name + ".nanos", System.nanoTime() - t0);
            if (reason != null) {
                add(name + ".dropped." + reason, 1);
                return row(d, Schemas.EXCLUDED, name, reason);
            }
            add(name + ".kept", 1);
            add(name + ".bytes_kept", d.size());
        }
        if (d.text == null) {
            // no step gave the document text: a recipe without select (payload over the cap, or not HTML/text) or
            // without extract (HTML that nobody extracted; --extract-mode full keeps a page's whole visible text)
            return row(d, Schemas.EXCLUDED, "select", d.truncated ? "too_large" : d.html && d.raw != null
                    ? "not_extracted" : "not_html");
        }
        return row(d, Schemas.KEPT, null, null);
    }

    private void add(String key, long n) {
        sink.merge(key, n, Long::sum);
    }

    static Row row(Document d, String status, String step, String reason) {
        return RowFactory.create(d.id, d.url, d.source, d.fetchTime == null ? null : Timestamp.from(d.fetchTime),
                d.language, Double.isNaN(d.languageScore) ? null : d.languageScore,
                Schemas.KEPT.equals(status) || d.text != null ? d.text : null,
                d.signals.isEmpty() ? null : scala.collection.JavaConverters.mapAsScalaMap(new java.util.HashMap<>(d.signals)),
                status, step, reason, d.offset, null);
    }

    static Row errorRow(String file, long offset, String message) {
        String id = Document.sha256Hex(io.sparkgpt.pipeline.read.RecordReader.fileName(file) + "\nerror:" + offset);
        return RowFactory.create(id, null, file, null, null, null, null, null, Schemas.ERROR, null, null, offset,
                message);
    }
}
