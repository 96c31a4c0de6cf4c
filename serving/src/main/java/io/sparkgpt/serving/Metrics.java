package io.sparkgpt.serving;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The server's counters in Prometheus' text format ({@code GET /metrics}): requests by endpoint and status, a
 * latency histogram, tokens in and out, generation speed over the last 10 s, queue length and batch size.
 */
public final class Metrics {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final long WINDOW_NANOS = 10_000_000_000L;

    private final Map<String, LongAdder> requests = new TreeMap<>();
    private final Map<String, long[]> latencyBuckets = new TreeMap<>();
    private final Map<String, double[]> latencySum = new TreeMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final LongAdder queueRejected = new LongAdder();
    private final LongAdder steps = new LongAdder();
    private final AtomicLong lastBatch = new AtomicLong();
    private final ArrayDeque<long[]> recent = new ArrayDeque<>();
    private volatile IntSupplier queueLength = () -> 0;
    private volatile IntSupplier activeSequences = () -> 0;

    void bind(IntSupplier queueLength, IntSupplier activeSequences) {
        this.queueLength = queueLength;
        this.activeSequences = activeSequences;
    }

    public synchronized void request(String endpoint, int status, long nanos) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
        long[] b = latencyBuckets.computeIfAbsent(endpoint, k -> new long[BUCKETS.length + 1]);
        double s = nanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (s <= BUCKETS[i]) {
                b[i]++;
            }
        }
        b[BUCKETS.length]++;
        latencySum.computeIfAbsent(endpoint, k -> new double[1])[0] += s;
    }

    public void promptTokens(int n) {
        promptTokens.add(n);
    }

    void queueRejected() {
        queueRejected.increment();
    }

    /** One decoding step: {@code batch} sequences, {@code produced} tokens. */
    synchronized void step(int batch, int produced, long nanos) {
        steps.increment();
        lastBatch.set(batch);
        completionTokens.add(produced);
        long now = System.nanoTime();
        recent.addLast(new long[] {now, produced});
        while (!recent.isEmpty() && now - recent.peekFirst()[0] > WINDOW_NANOS) {
            recent.removeFirst();
        }
    }

    /** Generated tokens per second over the last 10 s. */
    public synchronized double tokensPerSecond() {
        long now = System.nanoTime();
        long sum = 0;
        for (long[] r : recent) {
            if (now - r[0] <= WINDOW_NANOS) {
                sum += r[1];
            }
        }
        return sum / (WINDOW_NANOS / 1e9);
    }

    public synchronized String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP sparkgpt_requests_total HTTP requests by endpoint and status.\n");
        sb.append("# TYPE sparkgpt_requests_total counter\n");
        requests.forEach((k, v) -> {
            String[] p = k.split("\u0000");
            sb.append("sparkgpt_requests_total{endpoint=\"").append(p[0]).append("\",status=\"").append(p[1])
                    .append("\"} ").append(v.sum()).append('\n');
        });
        sb.append("# HELP sparkgpt_request_duration_seconds Time from request to last byte, by endpoint.\n");
        sb.append("# TYPE sparkgpt_request_duration_seconds histogram\n");
        latencyBuckets.forEach((ep, b) -> {
            for (int i = 0; i < BUCKETS.length; i++) {
                sb.append("sparkgpt_request_duration_seconds_bucket{endpoint=\"").append(ep).append("\",le=\"")
                        .append(BUCKETS[i]).append("\"} ").append(b[i]).append('\n');
            }
            sb.append("sparkgpt_request_duration_seconds_bucket{endpoint=\"").append(ep).append("\",le=\"+Inf\"} ")
                    .append(b[BUCKETS.length]).append('\n');
            sb.append("sparkgpt_request_duration_seconds_sum{endpoint=\"").append(ep).append("\"} ")
                    .append(latencySum.get(ep)[0]).append('\n');
            sb.append("sparkgpt_request_duration_seconds_count{endpoint=\"").append(ep).append("\"} ")
                    .append(b[BUCKETS.length]).append('\n');
        });
        counter(sb, "sparkgpt_prompt_tokens_total", "Prompt tokens read.", promptTokens.sum());
        counter(sb, "sparkgpt_completion_tokens_total", "Tokens generated.", completionTokens.sum());
        counter(sb, "sparkgpt_queue_rejected_total", "Requests refused with 429 because the queue was full.",
                queueRejected.sum());
        counter(sb, "sparkgpt_decode_steps_total", "Batched decoding steps.", steps.sum());
        gauge(sb, "sparkgpt_tokens_per_second", "Tokens generated per second over the last 10 s.",
                tokensPerSecond());
        gauge(sb, "sparkgpt_queue_length", "Requests waiting for a batch slot.", queueLength.getAsInt());
        gauge(sb, "sparkgpt_active_sequences", "Sequences being generated.", activeSequences.getAsInt());
        gauge(sb, "sparkgpt_last_batch_size", "Sequences in the last decoding step.", lastBatch.get());
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, double v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(v).append('\n');
    }
}
