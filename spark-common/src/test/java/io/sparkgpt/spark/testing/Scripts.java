package io.sparkgpt.spark.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the project's scripts ({@code deploy/spark-submit/*.sh}) from tests, the way a user runs them, and returns
 * what they printed. The repository root comes from the system property {@code sparkgpt.project.root} (set by the
 * parent pom for surefire and failsafe), else from the nearest parent folder holding {@code deploy/spark-submit}.
 */
public final class Scripts {
    private Scripts() {}

    /** Exit code and output of one script run. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** stdout then stderr. */
        public String output() {
            return stdout + stderr;
        }

        /** The last non-blank line of stdout ("" if none): scripts print their answer there. */
        public String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }

        /** The non-blank lines of stderr. */
        public List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    public static Path projectRoot() {
        String prop = System.getProperty("sparkgpt.project.root");
        if (prop != null && Files.isDirectory(Paths.get(prop, "deploy", "spark-submit"))) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/spark-submit"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root: set -Dsparkgpt.project.root"
                + " (the parent pom sets it for surefire/failsafe)");
    }

    /** {@code deploy/spark-submit/<name>} of the repository. */
    /**
     * The shaded job jar {@code <module>/target/<module>-*-job.jar}. Integration tests run after {@code package}
     * ({@code mvn verify}), so it is there; if not, the error says how to build it.
     */
    public static Path jobJar(String module) {
        Path target = projectRoot().resolve(module).resolve("target");
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches(Pattern.quote(module)
                            + "-.*-job\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + module + "-*-job.jar in " + target
                            + ": integration tests run after `package` (mvn verify)"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + target, e);
        }
    }

    public static Path script(String name) {
        Path p = projectRoot().resolve("deploy/spark-submit").resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no script " + p);
        }
        return p;
    }

    /**
     * Runs {@code bash <script> args...} from the repository root with the environment of this JVM plus
     * {@code env} (a null value removes a variable), and waits at most {@code timeout}; on timeout the script
     * and everything it started are killed and an {@link IllegalStateException} says so.
     */
    public static Result run(Path script, List<String> args, Map<String, String> env, Duration timeout) {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(script.toString());
        cmd.addAll(args);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("sparkgpt-script", ".out");
            err = Files.createTempFile("sparkgpt-script", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(projectRoot().toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
            env.forEach((k, v) -> {
                if (v == null) {
                    pb.environment().remove(k);
                } else {
                    pb.environment().put(k, v);
                }
            });
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(script.getFileName() + " " + args + " did not end within "
                        + timeout.toSeconds() + " s; its output:\n" + read(out) + read(err));
            }
            return new Result(p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** {@code deploy/spark-submit/submit.sh args...} (local[*] unless args say {@code --master}). */
    public static Result submit(List<String> args, Duration timeout) {
        return run(script("submit.sh"), args, Map.of(), timeout);
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
