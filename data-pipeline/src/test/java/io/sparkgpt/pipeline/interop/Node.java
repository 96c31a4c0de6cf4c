package io.sparkgpt.pipeline.interop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Readers that are not ours, from npm, run by Node.js: the packages below are installed by the test itself into
 * {@code target/npm} (npm's own cache in ~/.npm makes a second install work offline) and the scripts under
 * test resources {@code interop/} run against our files. No Node.js or npm is a test failure with a clear message,
 * never a skip.
 */
public final class Node {
    /** Pinned versions: the readers' behaviour must not change under the tests. */
    public static final List<String> PACKAGES = List.of("hyparquet@1.33.0", "@huggingface/tokenizers@0.2.0");

    private Node() {}

    /** The folder holding node_modules with {@link #PACKAGES} (installed on first use). */
    public static synchronized Path modules() throws IOException, InterruptedException {
        Path dir = Path.of("target", "npm").toAbsolutePath();
        Path marker = dir.resolve("installed.txt");
        String want = String.join(" ", PACKAGES);
        if (Files.exists(marker) && Files.readString(marker).equals(want)) {
            return dir;
        }
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("npm", "install", "--prefix", dir.toString(), "--no-audit",
                "--no-fund", "--prefer-offline", "--no-save"));
        cmd.addAll(PACKAGES);
        String out = exec(cmd, dir, 600);
        for (String p : List.of("hyparquet", "@huggingface/tokenizers")) {
            if (!Files.exists(dir.resolve("node_modules").resolve(p).resolve("package.json"))) {
                throw new IllegalStateException("npm install did not install " + p + " into " + dir + ":\n" + out);
            }
        }
        Files.writeString(marker, want);
        return dir;
    }

    /** Runs the test resource {@code interop/<script>} with Node.js and {@code args}; returns its stdout. */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        Path dir = modules();
        Path file = dir.resolve(script); // beside node_modules, so that its imports resolve there
        try (InputStream in = Node.class.getResourceAsStream("/interop/" + script)) {
            if (in == null) {
                throw new IllegalStateException("test resource interop/" + script + " is missing");
            }
            Files.write(file, in.readAllBytes());
        }
        List<String> cmd = new ArrayList<>(List.of("node", file.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, dir, 300);
    }

    private static String exec(List<String> cmd, Path dir, int timeoutSeconds) throws IOException,
            InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new IllegalStateException(cmd.get(0) + " cannot be started (" + e.getMessage() + "): this test needs "
                    + "Node.js 18+ and npm on the PATH (Debian: apt-get install nodejs npm)", e);
        }
        // stderr drained on its own thread so that a chatty process cannot block on a full pipe
        StringBuilder err = new StringBuilder();
        Thread t = new Thread(() -> {
            try {
                err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process went away: what was read is kept
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
        }
        t.join();
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n" + err
                    + out);
        }
        return out;
    }
}
