package io.sparkgpt.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real local Spark job with slow tasks: progress lines while it runs, one summary when it ends. */
class JobProgressTest {
    @Test
    void reportsTasksBytesRecordsAndEtaThenASummary(@TempDir Path tmp) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            lines.add("line " + i + " of a text file the job reads through Hadoop's input format");
        }
        Path in = tmp.resolve("in.txt");
        Files.write(in, lines);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        SparkSession spark = SparkSession.builder().master("local[2]").appName("progress-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        JobProgress progress = new JobProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), 0.5);
        try {
            spark.sparkContext().addSparkListener(progress);
            spark.sparkContext().setJobDescription("slow count");
            long n = spark.sparkContext().textFile(in.toString(), 8).toJavaRDD().mapPartitions(it -> {
                Thread.sleep(400);
                return it;
            }).count();
            assertEquals(4000, n);
            // a job that reports its own progress is left alone
            spark.sparkContext().setLocalProperty(JobProgress.OWN_PROGRESS, "true");
            spark.sparkContext().setJobDescription("quiet");
            spark.sparkContext().textFile(in.toString(), 4).toJavaRDD().mapPartitions(it -> {
                Thread.sleep(400);
                return it;
            }).count();
        } finally {
            spark.sparkContext().removeSparkListener(progress);
            progress.close();
            spark.stop();
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertTrue(out.matches("(?s).*\\[spark] slow count: tasks \\d+/8, [0-9.]+ MB read \\([0-9.]+ MB/s\\), "
                + "[0-9,]+ records \\([0-9,]+/s\\), \\d+s elapsed, ETA (\\d+s|\\?).*"), out);
        assertTrue(out.contains("[spark] slow count: done in "), out);
        assertTrue(out.contains("8 tasks, "), out);
        assertTrue(out.contains(String.format("%,d records", 4000)), out);
        assertFalse(out.contains("quiet"), out);
    }

    @Test
    void etaAndDurations() {
        assertEquals("?", JobProgress.eta(0, 10, 5));
        assertEquals("15s", JobProgress.eta(2, 8, 5));
        assertEquals("2m05s", JobProgress.duration(125));
        assertEquals("1h01m", JobProgress.duration(3670));
    }
}
