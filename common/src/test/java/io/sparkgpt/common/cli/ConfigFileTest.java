package io.sparkgpt.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** --config file.json: its values are the options' defaults, flags win, an unknown key names the file and key. */
class ConfigFileTest {
    @TempDir
    Path dir;

    @Command(name = "train", subcommands = Sub.class)
    static final class Train implements Callable<Integer> {
        @Option(names = "--config") String config;
        @Option(names = "--lr", defaultValue = "1e-3") double lr;
        @Option(names = "--batch-size", defaultValue = "8") int batchSize;
        @Option(names = {"--output", "--out"}) String output;
        @Option(names = "--overwrite") boolean overwrite;
        @Option(names = "--augment", split = ",") List<String> augment;

        @Override
        public Integer call() {
            return 0;
        }
    }

    @Command(name = "sub")
    static final class Sub implements Callable<Integer> {
        @Option(names = "--config") String config;
        @Option(names = "--steps", defaultValue = "1") int steps;

        @Override
        public Integer call() {
            return steps; // the exit code shows what the subcommand got
        }
    }

    private Path write(String json) throws Exception {
        Path f = dir.resolve("best.json");
        Files.writeString(f, json);
        return f;
    }

    /** Runs {@code t} with {@code args}; returns the exit code and what it printed on stderr. */
    private static String[] run(Callable<Integer> t, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Cli.execute(t, args);
            return new String[] {String.valueOf(code), buf.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void fileValuesAreDefaultsAndFlagsWin() throws Exception {
        Path f = write("{\"lr\": 0.003, \"batch-size\": 16, \"out\": \"runs/a\", \"overwrite\": true, "
                + "\"augment\": [\"swap\", \"drop\"]}");
        Train t = new Train();
        assertEquals("0", run(t, "--config", f.toString())[0]);
        assertEquals(0.003, t.lr);
        assertEquals(16, t.batchSize);
        assertEquals("runs/a", t.output);
        assertTrue(t.overwrite);
        assertEquals(List.of("swap", "drop"), t.augment);

        Train w = new Train();
        assertEquals("0", run(w, "--batch-size", "4", "--config=" + f)[0]);
        assertEquals(4, w.batchSize);
        assertEquals(0.003, w.lr);

        Train none = new Train();
        assertEquals("0", run(none)[0]);
        assertEquals(1e-3, none.lr);
        assertEquals(8, none.batchSize);
    }

    @Test
    void subcommandReadsItsOwnKeys() throws Exception {
        Path f = write("{\"steps\": 7}");
        assertEquals("7", run(new Train(), "sub", "--config", f.toString())[0]);
        assertEquals("1", run(new Train(), "sub")[0]);
        String[] r = run(new Train(), "sub", "--config", write("{\"lr\": 0.1}").toString());
        assertEquals("2", r[0]); // the key is the parent's option, not the subcommand's
        assertTrue(r[1].contains("'lr'"), r[1]);
    }

    @Test
    void unknownKeyNamesFileAndKey() throws Exception {
        Path f = write("{\"lr\": 0.003, \"learning-rate\": 0.1}");
        String[] r = run(new Train(), "--config", f.toString());
        assertEquals("2", r[0]);
        assertTrue(r[1].contains(f.toString()) && r[1].contains("'learning-rate'"), r[1]);
    }

    @Test
    void badFilesAreUsageErrors() throws Exception {
        String[] missing = run(new Train(), "--config", dir.resolve("nope.json").toString());
        assertEquals("2", missing[0]);
        assertTrue(missing[1].contains("nope.json"), missing[1]);
        String[] array = run(new Train(), "--config", write("[1, 2]").toString());
        assertEquals("2", array[0]);
        assertTrue(array[1].contains("JSON object"), array[1]);
        String[] nested = run(new Train(), "--config", write("{\"lr\": {\"v\": 1}}").toString());
        assertEquals("2", nested[0]);
        assertTrue(nested[1].contains("'lr'"), nested[1]);
        String[] self = run(new Train(), "--config", write("{\"config\": \"other.json\"}").toString());
        assertEquals("2", self[0]);
        assertTrue(self[1].contains("'config'"), self[1]);
    }
}
