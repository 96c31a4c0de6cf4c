package io.sparkgpt.spark.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;

/**
 * A real S3-compatible server for tests: {@code org.gaul:s3proxy} 4.1.0 with its filesystem backend, started as
 * its own JVM on 127.0.0.1 and a free port (its jar-with-dependencies carries its own Jackson, Guava and Jetty,
 * which must not meet Spark's on one class path). A bucket is a folder under {@link #root()}.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start(tempDir)) {
 *     String bucket = s3.createBucket("data");            // "s3a://data"
 *     Storage storage = new Storage(s3.hadoopConfiguration());
 *     SparkSession.builder()...config(s3.sparkSettings())  // spark.hadoop.fs.s3a.* settings
 * }
 * }</pre>
 *
 * The S3A file system cache is disabled in the settings ({@code fs.s3a.impl.disable.cache}): Hadoop caches file
 * systems by scheme and bucket, so a second server in the same JVM would otherwise be reached through the first
 * one's (closed) endpoint.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "sparkgpt-test-access";
    public static final String SECRET_KEY = "sparkgpt-test-secret";
    private static final String JAR_RESOURCE = "org/gaul/s3proxy/Main.class";
    private static final long START_TIMEOUT_MS = 60_000;

    private final Path root;
    private final int port;
    private final Process process;
    private final Path log;

    private S3ProxyServer(Path root, int port, Process process, Path log) {
        this.root = root;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts a server whose buckets live under {@code workDir/buckets}; its log is {@code workDir/s3proxy.log}. */
    public static S3ProxyServer start(Path workDir) {
        try {
            Path root = Files.createDirectories(workDir.resolve("buckets"));
            IOException last = null;
            // a free port found by binding port 0 can be taken by someone else before s3proxy binds it: retry
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                Path props = workDir.resolve("s3proxy.properties");
                Files.writeString(props, String.join("\n",
                        "s3proxy.endpoint=http://127.0.0.1:" + port,
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + ACCESS_KEY,
                        "s3proxy.credential=" + SECRET_KEY,
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + root.toAbsolutePath(),
                        ""), StandardCharsets.UTF_8);
                Path log = workDir.resolve("s3proxy.log");
                List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-cp", s3proxyJar(),
                        "org.gaul.s3proxy.Main", "--properties", props.toAbsolutePath().toString()));
                Process p = new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
                S3ProxyServer server = new S3ProxyServer(root, port, p, log);
                try {
                    server.awaitListening();
                    return server;
                } catch (IOException e) {
                    server.close();
                    last = e;
                }
            }
            throw new IllegalStateException("s3proxy did not start: " + last.getMessage(), last);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3proxy under " + workDir, e);
        }
    }

    /** {@code http://127.0.0.1:<port>} */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Folder that holds one sub-folder per bucket. */
    public Path root() {
        return root;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** Makes the bucket (a folder of the filesystem backend) and returns {@code s3a://<name>}. */
    public String createBucket(String name) {
        try {
            Files.createDirectories(root.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create bucket folder " + root.resolve(name), e);
        }
        return "s3a://" + name;
    }

    /** The Hadoop settings that point S3A at this server (keys {@code fs.s3a.*}). */
    public Map<String, String> hadoopSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
        s.put("fs.s3a.endpoint", endpoint());
        s.put("fs.s3a.endpoint.region", "us-east-1");
        s.put("fs.s3a.path.style.access", "true");
        s.put("fs.s3a.connection.ssl.enabled", "false");
        s.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        s.put("fs.s3a.access.key", ACCESS_KEY);
        s.put("fs.s3a.secret.key", SECRET_KEY);
        s.put("fs.s3a.impl.disable.cache", "true");
        // fail fast in tests instead of S3A's minutes of retries when something is wrong
        s.put("fs.s3a.attempts.maximum", "2");
        s.put("fs.s3a.retry.limit", "2");
        s.put("fs.s3a.connection.establish.timeout", "5000");
        s.put("fs.s3a.connection.timeout", "20000");
        return s;
    }

    /** The same settings for Spark ({@code spark.hadoop.fs.s3a.*}): for a SparkConf or {@code --conf} pairs. */
    public Map<String, String> sparkSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        hadoopSettings().forEach((k, v) -> s.put("spark.hadoop." + k, v));
        return s;
    }

    /** {@code --conf k=v} pairs of {@link #sparkSettings()}, for spark-submit / submit.sh. */
    public List<String> sparkSubmitConfArgs() {
        List<String> args = new ArrayList<>();
        sparkSettings().forEach((k, v) -> {
            args.add("--conf");
            args.add(k + "=" + v);
        });
        return args;
    }

    /** A new Hadoop configuration with {@link #hadoopSettings()} applied. */
    public Configuration hadoopConfiguration() {
        Configuration conf = new Configuration();
        hadoopSettings().forEach(conf::set);
        return conf;
    }

    public Path log() {
        return log;
    }

    /** Stops the server and waits for its JVM to end. The bucket folders stay (they are the test's temp dir). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (process.isAlive()) {
            throw new IllegalStateException("s3proxy (pid " + process.pid() + ") did not stop");
        }
    }

    private void awaitListening() throws IOException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("s3proxy exited with code " + process.exitValue() + ": " + logTail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        throw new IOException("s3proxy did not listen on " + endpoint() + " within " + START_TIMEOUT_MS / 1000
                + " s: " + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static String javaBinary() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The s3proxy jar-with-dependencies on the test class path (a test-scope dependency), found without loading it. */
    private static String s3proxyJar() {
        URL url = S3ProxyServer.class.getClassLoader().getResource(JAR_RESOURCE);
        if (url == null || !"jar".equals(url.getProtocol())) {
            throw new IllegalStateException("org.gaul:s3proxy:jar-with-dependencies is not on the test class path:"
                    + " add it as a test dependency (the parent pom manages its version)");
        }
        String file = url.getPath();
        file = file.substring(0, file.indexOf("!/"));
        try {
            return Paths.get(new URL(file).toURI()).toString();
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot locate the s3proxy jar from " + url, e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for s3proxy", e);
        }
    }
}
