package io.sparkgpt.serving.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A bounded load test of an OpenAI-compatible server on this machine: {@code clients} concurrent clients send
 * {@code /v1/completions} requests until {@code requests} are sent or {@code maxSeconds} pass; latency percentiles,
 * generated tokens per second and failed requests are printed as one JSON line. Optionally kills a process (a
 * replica) with SIGKILL once {@code killAfter} requests have completed: the failures it causes are counted.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Bounded load test of /v1/completions on 127.0.0.1.")
public final class LoadGen implements Callable<Integer> {

    /** What to run. {@code killPidFile}: null = no kill. */
    public record Config(String url, int clients, int requests, double maxSeconds, int maxTokens, boolean stream,
                         Path killPidFile, int killAfter, String apiKey) {}

    /** What happened; latencies in milliseconds. */
    public record Result(int clients, int sent, int ok, int failed, int streamsCut, double p50Ms, double p99Ms,
                         double tokensPerSecond, double seconds, boolean killed, List<String> firstErrors) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clients", clients);
            m.put("sent", sent);
            m.put("ok", ok);
            m.put("failed", failed);
            m.put("streams_cut", streamsCut);
            m.put("p50_ms", Math.round(p50Ms * 10) / 10.0);
            m.put("p99_ms", Math.round(p99Ms * 10) / 10.0);
            m.put("tokens_per_s", Math.round(tokensPerSecond * 10) / 10.0);
            m.put("seconds", Math.round(seconds * 100) / 100.0);
            m.put("killed_replica", killed);
            m.put("first_errors", firstErrors);
            return m;
        }
    }

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8000") String url;
    @Option(names = "--clients", defaultValue = "8") int clients;
    @Option(names = "--requests", defaultValue = "200", description = "requests to send at most") int requests;
    @Option(names = "--max-seconds", defaultValue = "60", description = "stop sending after this") double maxSeconds;
    @Option(names = "--max-tokens", defaultValue = "32") int maxTokens;
    @Option(names = "--stream", description = "stream every request (SSE)") boolean stream;
    @Option(names = "--kill-pid-file", description = "SIGKILL the process whose pid this file holds, mid-run")
    Path killPidFile;
    @Option(names = "--kill-after", defaultValue = "0", description = "completed requests before the kill (0 = "
            + "a third of --requests)") int killAfter;
    @Option(names = "--api-key") String apiKey;

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) {
        Cli.main(new LoadGen(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (!url.startsWith("http://127.0.0.1:") && !url.startsWith("http://localhost:")) {
            throw new UsageException("--url " + url + ": this load test only targets 127.0.0.1");
        }
        if (clients < 1 || requests < 1 || maxSeconds <= 0 || maxTokens < 1) {
            throw new UsageException("--clients, --requests, --max-seconds and --max-tokens must be > 0");
        }
        Result r = run(new Config(url, clients, requests, maxSeconds, maxTokens, stream, killPidFile,
                killAfter > 0 ? killAfter : Math.max(1, requests / 3), apiKey));
        System.out.println(JSON.writeValueAsString(r.toMap()));
        return r.failed() == 0 ? Cli.EXIT_OK : Cli.EXIT_FAILURE;
    }

    public static Result run(Config c) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(4)).build();
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger cut = new AtomicInteger();
        AtomicLong tokens = new AtomicLong();
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        boolean[] killed = {false};
        long t0 = System.nanoTime();
        long stopAt = t0 + (long) (c.maxSeconds() * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(c.clients());
        for (int k = 0; k < c.clients(); k++) {
            pool.submit(() -> {
                while (System.nanoTime() < stopAt) {
                    int i = issued.getAndIncrement();
                    if (i >= c.requests()) {
                        return;
                    }
                    String body = "{\"prompt\": \"the cat sat on\", \"max_tokens\": " + c.maxTokens() + ", \"seed\": "
                            + i + (c.stream() ? ", \"stream\": true, \"stream_options\": {\"include_usage\": true}"
                            : "") + "}";
                    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(c.url() + "/v1/completions"))
                            .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body));
                    if (c.apiKey() != null) {
                        rb.header("Authorization", "Bearer " + c.apiKey());
                    }
                    long s = System.nanoTime();
                    try {
                        Outcome o = c.stream() ? stream(http, rb.build()) : once(http, rb.build());
                        if (o.error == null) {
                            ok.incrementAndGet();
                            tokens.addAndGet(o.tokens);
                            latencies.add((System.nanoTime() - s) / 1e6);
                        } else {
                            failed.incrementAndGet();
                            if (o.cut) {
                                cut.incrementAndGet();
                            }
                            note(errors, o.error);
                        }
                    } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet();
                        note(errors, e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (done.incrementAndGet() == c.killAfter() && c.killPidFile() != null) {
                        killed[0] = kill(c.killPidFile(), errors);
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination((long) (c.maxSeconds() + 150), TimeUnit.SECONDS)) {
            pool.shutdownNow();
            note(errors, "clients still running after the time limit: stopped");
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double[] lat = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Result(c.clients(), Math.min(issued.get(), c.requests()), ok.get(), failed.get(), cut.get(),
                pct(lat, 0.50), pct(lat, 0.99), tokens.get() / secs, secs, killed[0], List.copyOf(errors));
    }

    private record Outcome(long tokens, String error, boolean cut) {}

    private static Outcome once(HttpClient http, HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return new Outcome(0, "HTTP " + r.statusCode() + " " + r.body(), false);
        }
        return new Outcome(JSON.readTree(r.body()).path("usage").path("completion_tokens").asLong(), null, false);
    }

    /** A stream that ends without {@code data: [DONE]} (an error event or a cut connection) is a failure. */
    private static Outcome stream(HttpClient http, HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<Stream<String>> r = http.send(req, HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            try (Stream<String> s = r.body()) {
                return new Outcome(0, "HTTP " + r.statusCode() + " " + String.join("", s.toList()), false);
            }
        }
        long tokens = 0;
        try (Stream<String> s = r.body()) {
            Iterator<String> it = s.iterator();
            while (it.hasNext()) {
                String l = it.next();
                if (!l.startsWith("data: ")) {
                    continue;
                }
                String d = l.substring(6);
                if (d.equals("[DONE]")) {
                    return new Outcome(tokens, null, false);
                }
                JsonNode n = JSON.readTree(d);
                if (n.has("error")) {
                    return new Outcome(tokens, "error event " + d, true);
                }
                if (n.hasNonNull("usage")) {
                    tokens = n.get("usage").path("completion_tokens").asLong();
                }
            }
            return new Outcome(tokens, "stream ended without [DONE]", true);
        } catch (UncheckedIOException e) {
            return new Outcome(tokens, "stream cut: " + e.getCause(), true);
        }
    }

    private static boolean kill(Path pidFile, ConcurrentLinkedQueue<String> errors) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false);
        } catch (IOException | NumberFormatException e) {
            note(errors, "cannot kill the process of " + pidFile + ": " + e);
            return false;
        }
    }

    private static void note(ConcurrentLinkedQueue<String> errors, String e) {
        if (errors.size() < 5) {
            errors.add(e.length() > 300 ? e.substring(0, 300) : e);
        }
    }

    static double pct(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
