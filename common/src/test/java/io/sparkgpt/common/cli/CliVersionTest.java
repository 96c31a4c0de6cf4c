package io.sparkgpt.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/** -V/--version prints the Maven project version, for a command and for its subcommands. */
class CliVersionTest {
    @Command(name = "tool", mixinStandardHelpOptions = true, subcommands = Sub.class)
    static final class Tool implements Callable<Integer> {
        @Override
        public Integer call() {
            return 0;
        }
    }

    @Command(name = "sub", mixinStandardHelpOptions = true)
    static final class Sub implements Callable<Integer> {
        @Override
        public Integer call() {
            return 0;
        }
    }

    @Test
    void versionOptionPrintsTheProjectVersion() {
        String v = Cli.version();
        assertTrue(v.matches("sparkgpt \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), v);
        for (String[] args : new String[][] {{"-V"}, {"--version"}, {"sub", "--version"}}) {
            PrintStream old = System.out;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            try {
                assertEquals(0, Cli.execute(new Tool(), args));
            } finally {
                System.setOut(old);
            }
            assertEquals(v, buf.toString(StandardCharsets.UTF_8).strip(), String.join(" ", args));
        }
    }
}
