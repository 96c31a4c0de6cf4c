package io.sparkgpt.serving;

import io.sparkgpt.model.Rng;
import io.sparkgpt.model.Sampler;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.Session;
import io.sparkgpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Continuous batching on one thread: requests wait in a bounded queue; each step admits waiting requests while
 * fewer than {@code maxBatch} sequences are active, reads the prompts of the new ones into their KV caches (one
 * pass per prompt), advances every other active sequence by one token through ONE forward pass
 * ({@link InferenceModel#step}: each linear layer is one matrix product over the whole batch), and retires those
 * that finished. A request never waits for
 * another to end before it starts, and a full queue is refused at once (429) instead of growing without bound.
 */
public final class Scheduler implements AutoCloseable {

    /** What happens to a request, called on the scheduler thread: must not block. */
    public interface Listener {
        void onText(int choice, String text);

        void onFinish(int choice, String finishReason, int completionTokens);

        /** The request failed or the server stopped before it ended; no more calls follow. */
        void onError(ApiError error);
    }

    /** One queued request: a prompt and its n choices. */
    public static final class Job {
        final int[] prompt;
        final SamplingParams params;
        final Listener listener;
        volatile boolean cancelled;
        boolean failed;

        Job(int[] prompt, SamplingParams params, Listener listener) {
            this.prompt = prompt;
            this.params = params;
            this.listener = listener;
        }

        /** The client went away: its sequences are dropped at the next step. */
        public void cancel() {
            cancelled = true;
        }
    }

    /** One choice being generated. */
    private static final class Seq {
        final Job job;
        final int choice;
        final Rng rng;
        final TextStream text;
        Session session;
        int generated;
        int last = -1;

        Seq(Job job, int choice, Tokenizer tok) {
            this.job = job;
            this.choice = choice;
            this.rng = new Rng(job.params.seed() + choice);
            this.text = new TextStream(tok, job.params.stop());
        }
    }

    private final InferenceModel model;
    private final Tokenizer tokenizer;
    private final int maxBatch;
    private final BlockingQueue<Job> queue;
    private final Metrics metrics;
    private final List<Seq> active = new ArrayList<>();
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile boolean stopping;
    private volatile long drainDeadlineNanos = Long.MAX_VALUE;

    public Scheduler(InferenceModel model, Tokenizer tokenizer, int maxBatch, int queueCapacity, Metrics metrics) {
        if (maxBatch < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("max batch and queue capacity must be >= 1: " + maxBatch + ", "
                    + queueCapacity);
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.metrics = metrics;
        this.thread = new Thread(this::run, "scheduler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int queued() {
        return queue.size();
    }

    /** Sequences being generated now (the last step's batch). */
    public synchronized int activeSequences() {
        return active.size();
    }

    public boolean accepting() {
        return accepting;
    }

    /** Queues a request, or throws 429 (queue full) or 503 (stopping). */
    public Job submit(int[] prompt, SamplingParams params, Listener listener) {
        if (params.n() > maxBatch) {
            throw ApiError.badParam("n", "n=" + params.n() + " is above this server's batch of " + maxBatch
                    + " sequences");
        }
        if (!accepting) {
            throw new ApiError(503, "server_error", "server_shutting_down", null,
                    "The server is shutting down; retry on another replica.");
        }
        Job job = new Job(prompt, params, listener);
        if (!queue.offer(job)) {
            metrics.queueRejected();
            throw new ApiError(429, "rate_limit_error", "queue_full", null, "The server's queue is full ("
                    + (queue.size()) + " requests waiting); retry shortly.");
        }
        return job;
    }

    /**
     * Stops taking requests, lets queued and active ones finish for up to {@code graceMillis}, then ends those left
     * with an error (a stream gets an error event) and stops the thread.
     */
    public void shutdown(long graceMillis) {
        accepting = false;
        drainDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        stopping = true;
        thread.interrupt();
        try {
            thread.join(graceMillis + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(0);
    }

    private void run() {
        while (true) {
            if (stopping && (System.nanoTime() >= drainDeadlineNanos || (queue.isEmpty() && isIdle()))) {
                failAll(new ApiError(503, "server_error", "server_shutting_down", null,
                        "The server stopped before this request ended; retry on another replica."));
                return;
            }
            try {
                admit();
                if (isIdle()) {
                    Job j = queue.poll(stopping ? 10 : 500, TimeUnit.MILLISECONDS);
                    if (j != null) {
                        start(j);
                    }
                    continue;
                }
                step();
            } catch (InterruptedException e) {
                // shutdown() woke us: the loop checks the deadline
            } catch (RuntimeException | Error e) {
                // a bug or an exhausted resource must not kill the server: fail the batch that saw it, go on
                failAll(new ApiError(500, "server_error", "internal_error", null, "generation failed: " + e));
            }
        }
    }

    private synchronized boolean isIdle() {
        return active.isEmpty();
    }

    private void admit() {
        while (true) {
            Job j = queue.peek();
            if (j == null || activeSequences() + j.params.n() > maxBatch) {
                return;
            }
            start(queue.poll());
        }
    }

    private void start(Job j) {
        if (j.cancelled) {
            return;
        }
        List<Seq> seqs = new ArrayList<>();
        for (int c = 0; c < j.params.n(); c++) {
            seqs.add(new Seq(j, c, tokenizer));
        }
        synchronized (this) {
            active.addAll(seqs);
        }
    }

    /** One token for every active sequence: new ones read their prompt, the others go through one batched pass. */
    private void step() {
        long t0 = System.nanoTime();
        List<Seq> batch;
        synchronized (this) {
            batch = new ArrayList<>(active);
        }
        List<Seq> running = new ArrayList<>();
        List<Session> sessions = new ArrayList<>();
        List<Seq> fed = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        for (Seq s : batch) {
            if (s.job.cancelled || s.job.failed) {
                retire(s);
            } else if (s.session == null) {
                s.session = model.newSession();
                fed.add(s);
                logits.add(model.prefill(s.session, s.job.prompt));
            } else {
                running.add(s);
                sessions.add(s.session);
            }
        }
        if (!running.isEmpty()) {
            int[] tokens = new int[running.size()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = running.get(i).last;
            }
            float[][] next = model.step(sessions, tokens);
            fed.addAll(running);
            logits.addAll(List.of(next));
        }
        for (int i = 0; i < fed.size(); i++) {
            advance(fed.get(i), logits.get(i));
        }
        metrics.step(fed.size(), fed.size(), System.nanoTime() - t0);
    }

    /** Draws the next token of {@code s}, gives out its text, and ends it at a stop id, stop string or length. */
    private void advance(Seq s, float[] logits) {
        SamplingParams p = s.job.params;
        int id = Sampler.pick(logits, p.temperature(), 0, p.topP(), s.rng);
        s.generated++;
        s.last = id;
        String finish = null;
        if (p.isStop(id)) {
            finish = "stop";
        } else {
            String piece = s.text.add(id);
            if (!piece.isEmpty()) {
                s.job.listener.onText(s.choice, piece);
            }
            if (s.text.stopped()) {
                finish = "stop";
            } else if (s.generated >= p.maxTokens() || s.session.full()) {
                finish = "length";
            }
        }
        if (finish != null) {
            String rest = s.text.rest();
            if (!rest.isEmpty()) {
                s.job.listener.onText(s.choice, rest);
            }
            s.job.listener.onFinish(s.choice, finish, s.generated);
            retire(s);
        }
    }

    private void retire(Seq s) {
        s.session = null;
        synchronized (this) {
            active.remove(s);
        }
    }

    private void failAll(ApiError error) {
        List<Seq> batch;
        synchronized (this) {
            batch = new ArrayList<>(active);
        }
        for (Seq s : batch) {
            if (!s.job.failed) {
                s.job.failed = true;
                s.job.listener.onError(error);
            }
            retire(s);
        }
        if (stopping) {
            for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
                Job j = it.next();
                it.remove();
                j.listener.onError(error);
            }
        }
    }
}
