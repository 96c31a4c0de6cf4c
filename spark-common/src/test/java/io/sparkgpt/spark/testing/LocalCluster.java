package io.sparkgpt.spark.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster for tests, started and stopped through
 * {@code deploy/spark-submit/local-cluster.sh} exactly as a user does, on free ports and in its own folder.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(tempDir, 2, 1, "1g")) {
 *     Scripts.Result r = cluster.submit(List.of("--class", "io.sparkgpt.pipeline.inspect.InspectJob", jar, "--input", dir));
 *     assertEquals(0, r.exitCode(), r.toString());
 * }   // close(): local-cluster.sh stop, then fails if any process of the cluster is still alive
 * }</pre>
 *
 * The cluster runs the Spark runtime that {@code install-spark.sh} provides (assembled on first use if needed).
 * Start one cluster at a time: each daemon takes a JVM (-Xmx512m) and each executor 1g by default.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(6);

    private final Path dir;
    private final Map<String, String> env;
    private final String masterUrl;
    private final int webUiPort;
    private boolean closed;

    private LocalCluster(Path dir, Map<String, String> env, String masterUrl, int webUiPort) {
        this.dir = dir;
        this.env = env;
        this.masterUrl = masterUrl;
        this.webUiPort = webUiPort;
    }

    /**
     * Starts a Master and {@code workers} Workers ({@code cores} cores and {@code memory}, e.g. "1g", each) with
     * logs, pid files and work dirs under {@code clusterDir}; returns once the master reports them ALIVE.
     */
    public static LocalCluster start(Path clusterDir, int workers, int cores, String memory) {
        Path dir = clusterDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            int masterPort = S3ProxyServer.freePort();
            int uiPort = S3ProxyServer.freePort();
            while (uiPort == masterPort) {
                uiPort = S3ProxyServer.freePort();
            }
            Map<String, String> env = new HashMap<>();
            env.put("SPARKGPT_CLUSTER_DIR", dir.toString());
            env.put("SPARK_MASTER_PORT", Integer.toString(masterPort));
            env.put("SPARK_MASTER_WEBUI_PORT", Integer.toString(uiPort));
            env.put("SPARK_WORKER_PORT", null); // free ports for the workers
            env.put("SPARK_WORKER_WEBUI_PORT", null);
            Scripts.Result r = Scripts.run(Scripts.script("local-cluster.sh"), List.of("start", "--workers",
                    Integer.toString(workers), "--cores", Integer.toString(cores), "--memory", memory), env,
                    START_TIMEOUT);
            if (r.exitCode() != 0) {
                throw new IllegalStateException("local-cluster.sh start failed: " + r);
            }
            String url = r.lastLine();
            if (!url.startsWith("spark://")) {
                throw new IllegalStateException("local-cluster.sh start printed no master URL: " + r);
            }
            return new LocalCluster(dir, env, url, uiPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a local cluster in " + dir, e);
        }
    }

    /** {@code spark://127.0.0.1:<port>} */
    public String masterUrl() {
        return masterUrl;
    }

    public String webUiUrl() {
        return "http://127.0.0.1:" + webUiPort;
    }

    /** The folder with logs/, pids/ and work/ (worker i's apps and cluster-mode drivers: work/worker-i/). */
    public Path dir() {
        return dir;
    }

    /**
     * Runs {@code submit.sh --master <this cluster> args...} and returns its exit code and output. Add
     * {@code --deploy-mode cluster} for a driver run by a worker (its stdout then lands in {@link #driverStdouts()}).
     */
    public Scripts.Result submit(List<String> args) {
        return submit(args, SUBMIT_TIMEOUT);
    }

    public Scripts.Result submit(List<String> args, Duration timeout) {
        List<String> all = new ArrayList<>(List.of("--master", masterUrl));
        all.addAll(args);
        return Scripts.run(Scripts.script("submit.sh"), all, Map.of(), timeout);
    }

    /** {@code local-cluster.sh status} */
    public Scripts.Result status() {
        return Scripts.run(Scripts.script("local-cluster.sh"), List.of("status"), env, Duration.ofSeconds(60));
    }

    /** The master's state as JSON (its web UI's {@code /json/}: workers, apps, drivers and their states). */
    public String masterJson() {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(webUiUrl() + "/json/").openConnection();
            c.setConnectTimeout(5000);
            c.setReadTimeout(10000);
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + webUiUrl() + "/json/", e);
        }
    }

    /** stdout files of the drivers that workers ran (cluster deploy mode), oldest first. */
    public List<Path> driverStdouts() {
        Path work = dir.resolve("work");
        if (!Files.isDirectory(work)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(work, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("stdout")
                            && p.getParent().getFileName().toString().startsWith("driver-"))
                    .sorted(Comparator.comparingLong(LocalCluster::mtime))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + work, e);
        }
    }

    /**
     * Pids of processes that belong to this cluster: the daemons (they carry {@code -Dsparkgpt.cluster.dir}) and
     * whatever runs inside its work dirs (executors, cluster-mode drivers). Empty once the cluster is stopped.
     */
    public List<Long> processes() {
        return processesOf(dir);
    }

    static List<Long> processesOf(Path dir) {
        String marker = "-Dsparkgpt.cluster.dir=" + dir;
        long self = ProcessHandle.current().pid();
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    boolean inDir = false;
                    try {
                        inDir = Files.readSymbolicLink(p.resolve("cwd")).startsWith(dir);
                    } catch (IOException | SecurityException ignored) {
                        // a process we may not inspect is not one of ours
                    }
                    if (cmdline.contains(marker) || inDir) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException ignored) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return found;
    }

    /** {@code local-cluster.sh stop}; fails when it fails or when a process of the cluster is still alive. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Scripts.Result r = Scripts.run(Scripts.script("local-cluster.sh"), List.of("stop"), env, STOP_TIMEOUT);
        List<Long> left = processes();
        if (r.exitCode() != 0 || !left.isEmpty()) {
            left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            throw new IllegalStateException("local-cluster.sh stop left processes " + left + " (now killed): " + r);
        }
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
