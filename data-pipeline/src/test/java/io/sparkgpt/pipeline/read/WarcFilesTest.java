package io.sparkgpt.pipeline.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.extract.ExtractStep;
import io.sparkgpt.pipeline.extract.SelectStep;
import io.sparkgpt.pipeline.preprocess.Pipelines;
import io.sparkgpt.pipeline.step.Schemas;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Every real WARC/WET/WAT file in data/test/warc, quirky ones included, reads without dying. */
class WarcFilesTest {
    @Test
    void everySharedFileReadsAndExtracts() throws Exception {
        List<Path> files = TestData.allWarcFiles();
        assertTrue(files.size() >= 11, "expected the 11 shared WARC files, found " + files);
        int totalKept = 0;
        for (Path f : files) {
            Map<String, Long> c = new TreeMap<>();
            List<ReadItem> items = Pipelines.read(f.toString(), java.nio.file.Files.readAllBytes(f),
                    ReadOptions.defaults(), c);
            List<Row> rows = Pipelines.run(List.of(new SelectStep(), new ExtractStep(ExtractStep.Config.defaults())),
                    items, c);
            long kept = rows.stream().filter(r -> r.getString(8).equals(Schemas.KEPT)).count();
            long errors = rows.stream().filter(r -> r.getString(8).equals(Schemas.ERROR)).count();
            System.out.printf("%-45s records=%d docs=%d kept=%d errors=%d %s%n", f.getFileName(),
                    c.getOrDefault("read.records", 0L), items.size(), kept, errors, c);
            assertEquals(0, errors, f + " has read errors: " + rows.stream()
                    .filter(r -> r.getString(8).equals(Schemas.ERROR)).map(r -> r.getString(12)).toList());
            totalKept += kept;
        }
        // measured 55 on data/test (8 of them from the first 208 records of aut-example, which data/test cuts)
        assertTrue(totalKept > 50, "kept " + totalKept);
    }
}
