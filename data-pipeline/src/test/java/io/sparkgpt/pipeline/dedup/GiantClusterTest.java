package io.sparkgpt.pipeline.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One cluster of 40,000 near copies (plus 2,000 unrelated documents) deduplicated in a JVM of its own with a
 * 512 MiB heap (Spark's minimum is 450 MiB). A driver-side union-find or all pairs of an LSH bucket (8e8 pairs)
 * would not fit; the distributed components and the star candidates of large buckets do.
 */
class GiantClusterTest {
    static final int COPIES = 40_000;
    static final int BACKGROUND = 2_000;

    @TempDir
    Path tmp;

    @Test
    void fortyThousandCopiesInA512MiBHeap() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        for (String flag : System.getProperty("sparkgpt.java17.flags", "").split(" ")) {
            if (!flag.isBlank()) {
                cmd.add(flag);
            }
        }
        // the Java 17 flags Spark needs, whatever the parent JVM was given
        for (String p : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net",
                "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
                "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")) {
            cmd.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
        }
        cmd.add("-Djdk.reflect.useDirectMethodHandle=false");
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.add("-cp");
        cmd.add(cp);
        cmd.add(GiantClusterMain.class.getName());
        cmd.add(Integer.toString(COPIES));
        cmd.add(Integer.toString(BACKGROUND));
        Path log = tmp.resolve("giant.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        boolean done = p.waitFor(20, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        String tail = out.length() > 4000 ? out.substring(out.length() - 4000) : out;
        assertTrue(done, "giant-cluster run timed out: " + tail);
        assertEquals(0, p.exitValue(), tail);
        Matcher m = Pattern.compile("RESULT kept=(\\d+) clusters=(\\d+) largest=(\\d+) rounds=(\\d+).*maxHeapMiB=(\\d+)")
                .matcher(out);
        assertTrue(m.find(), tail);
        System.out.println(m.group());
        assertEquals(BACKGROUND + 1, Long.parseLong(m.group(1)), "one copy kept, all background kept");
        assertEquals(1, Long.parseLong(m.group(2)));
        assertEquals(COPIES, Long.parseLong(m.group(3)));
        assertTrue(Long.parseLong(m.group(5)) <= 512, "ran under a small heap");
        assertTrue(new File(tmp.toString()).exists());
    }
}
