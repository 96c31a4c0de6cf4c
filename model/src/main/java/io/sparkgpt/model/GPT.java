package io.sparkgpt.model;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * A GPT-2 style decoder (nanoGPT's {@code model.py}) with its training step, written llm.c style: every layer's
 * forward and backward pass by hand over flat off-heap float buffers, the large matrix products in OpenBLAS
 * ({@code cblas_sgemm} on the buffers' pointers), the element-wise work (LayerNorm, GELU, softmax, residual adds,
 * dropout, the AdamW update) in fused plain-Java loops. Why not DL4J's layers: see {@code notes/issue-7.md} and
 * {@code bench/RESULTS.md} (the ComputationGraph route ran at 0.41-0.44x PyTorch; ND4J's element-wise kernels and
 * {@code mmul} wrappers are where the time went).
 *
 * <p>Architecture: token embedding + learned position embedding (+ dropout) -> {@code nLayer} pre-LayerNorm blocks
 * ({@code x += drop(proj(causalSelfAttention(ln1(x))))}, {@code x += drop(fc2(gelu(fc(ln2(x)))))}) -> final
 * LayerNorm -> LM head (the token embedding when tied). GELU is the tanh approximation (GPT-2's) or, with
 * {@link GPTConfig#exactGelu()}, x * Phi(x). Initialisation is GPT-2's: N(0, 0.02) for weights and embeddings,
 * N(0, 0.02/sqrt(2 nLayer)) for the two residual projections, zero biases, unit LayerNorm gains. Where each tensor
 * lives in the flat parameter vector: {@link #layout()}.
 *
 * <p>Training: {@link #gradient} (forward, a {@link LogitsLoss} on the logits, backward, per micro-batch) then
 * {@link #update} (clip + AdamW); {@link #trainStep} is the two with next-token cross-entropy.
 *
 * <p>Threads: a micro-batch's rows are split over {@link #threads()} workers (default: the available processors),
 * each with its own activations and gradient buffer and a single-threaded OpenBLAS (at 2 cores the products are too
 * small for two BLAS threads to help: issue 14). Partial gradients are summed in worker order, so the result is
 * deterministic for a given thread count; 1 thread gives the single-threaded numbers bit for bit, 2 threads the
 * same up to float rounding of the sums. Dropout masks do not depend on the thread count: each worker jumps to its
 * rows' place in the model's one RNG stream (SplitMix64 can jump).
 *
 * <p>Parameters, AdamW moments and the dropout RNG are plain state that can be read and written
 * ({@link #params()}, {@link #optimizerState()}, {@link #rngState()}), so a distributed trainer can average
 * parameters (and moments) across workers and a checkpoint can resume bit for bit. Not thread-safe: one caller at a
 * time. Holds off-heap memory and, with more than one thread, a thread pool: {@link #close()} frees both.
 *
 * <p>Typical use:
 * <pre>{@code
 * GPT gpt = GPT.create(GPTConfig.nanoShakespeare(65), 1337);
 * TrainConfig tc = TrainConfig.defaults();
 * TokenWindows data = new TokenWindows(tokens, gpt.config().blockSize(), tc.seed());
 * for (int step = 0; step < tc.maxSteps(); step++) {
 *     TokenWindows.Batch b = data.next(tc.batchSize());
 *     double loss = gpt.trainStep(b.x(), b.y(), tc.schedule().at(step), tc);
 * }
 * }</pre>
 */
public final class GPT implements AutoCloseable {
    private static final float GELU_K = Kernels.GELU_K;
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    /** Rows per forward pass in {@link #forwardInference}. */
    private static final int INFERENCE_ROWS = 16;

    private final GPTConfig cfg;
    private final int C, H, hs, V, L, maxT;
    private final float pDrop;
    private final ParamLayout lay;
    /** The element-wise kernels: Vector API ones when the JVM has the module (see {@link Kernels#best()}). */
    private final Kernels kern = Kernels.best();
    private final int nParams;
    private final Buf params, grads, m, v;
    private long adamT;
    private final Rng rng;
    private double lastGradNorm = Double.NaN;

    /**
     * Rows per block of the attention products: a block of query rows needs only the keys up to its last row
     * (causal), so at T = 256 the products do 10/16 of the full T x T work; at T <= 64 it is one block. A multiple
     * of the vector lanes (the softmax kernels read whole lane chunks of a row).
     */
    private int attBlock = 64;
    private int threads;
    /** Worker j handles the j-th share of a micro-batch's rows; worker 0 runs on the caller's thread. */
    private final List<Worker> workers = new ArrayList<>();
    private ExecutorService pool;

    private GPT(GPTConfig cfg, long seed) {
        this.cfg = cfg;
        this.C = cfg.nEmbd();
        this.H = cfg.nHead();
        this.hs = cfg.headSize();
        this.V = cfg.vocabSize();
        this.L = cfg.nLayer();
        this.maxT = cfg.blockSize();
        this.pDrop = (float) cfg.dropout();
        this.lay = ParamLayout.of(cfg);
        nParams = lay.size();
        params = new Buf(nParams);
        grads = new Buf(nParams);
        m = new Buf(nParams);
        v = new Buf(nParams);
        rng = new Rng(seed);
        init(new Rng(Rng.mix(seed, 0x1417)));
        rng.setState(Rng.mix(seed, 0xD50));
        setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** A new model with GPT-2 initialisation drawn from {@code seed}; the same seed gives the same parameters. */
    public static GPT create(GPTConfig config, long seed) {
        return new GPT(config, seed);
    }

    /** Threads OpenBLAS uses for the matrix products (process-wide). */
    public static void setBlasThreads(int n) {
        Blas.setThreads(n);
    }

    public static int blasThreads() {
        return Blas.threads();
    }

    /**
     * Worker threads for {@link #gradient}, {@link #forwardInference} and {@link #update} (a micro-batch of fewer
     * rows uses fewer). Whenever more than one runs, OpenBLAS is set to one thread, process-wide: each worker's
     * products run on its own core. At 1 the model leaves OpenBLAS's setting alone ({@link #setBlasThreads}).
     */
    public GPT setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + n);
        }
        if (n != threads && pool != null) {
            pool.shutdownNow();
            pool = null;
        }
        threads = n;
        return this;
    }

    public int threads() {
        return threads;
    }

    /** Which element-wise kernels run: "vector256" etc. (the JVM has jdk.incubator.vector) or "scalar". */
    public String kernels() {
        return kern.name();
    }

    /** Number of parameters a model of {@code c} has (without building it). */
    public static long countParams(GPTConfig c) {
        long C = c.nEmbd(), V = c.vocabSize(), T = c.blockSize();
        long perLayer = 12 * C * C + (c.bias() ? 13 * C : 2 * C);
        return V * C + T * C + c.nLayer() * perLayer + (c.bias() ? 2 * C : C) + (c.tiedEmbeddings() ? 0 : V * C);
    }

    private void init(Rng r) {
        FloatBuffer p = params.f;
        float std = 0.02f;
        float projStd = (float) (0.02 / Math.sqrt(2.0 * L));
        gauss(p, r, lay.wte(), V * C, std);
        gauss(p, r, lay.wpe(), maxT * C, std);
        for (ParamLayout.Block k : lay.blocks()) {
            fill(p, k.ln1W(), C, 1f);
            gauss(p, r, k.qkvW(), 3 * C * C, std);
            gauss(p, r, k.projW(), C * C, projStd);
            fill(p, k.ln2W(), C, 1f);
            gauss(p, r, k.fcW(), 4 * C * C, std);
            gauss(p, r, k.fc2W(), 4 * C * C, projStd);
        }
        fill(p, lay.lnfW(), C, 1f);
        if (!cfg.tiedEmbeddings()) {
            gauss(p, r, lay.lmHead(), V * C, std);
        }
    }

    private static void gauss(FloatBuffer p, Rng r, int off, int n, float std) {
        for (int i = 0; i < n; i++) {
            p.put(off + i, (float) (r.nextGaussian() * std));
        }
    }

    private static void fill(FloatBuffer p, int off, int n, float val) {
        for (int i = 0; i < n; i++) {
            p.put(off + i, val);
        }
    }

    // ------------------------------------------------------------------ state access

    public GPTConfig config() {
        return cfg;
    }

    /** All parameters, position embeddings included (nanoGPT's report excludes them). */
    public long numParams() {
        return nParams;
    }

    /** Where each tensor lives in the flat parameter vector (fixed by the config). */
    public ParamLayout layout() {
        return lay;
    }

    /**
     * A read-only view of the live parameter vector (no copy; indexed by {@link #layout()}'s offsets): for code that
     * reads the weights directly, such as an inference engine. Changes when the model trains.
     */
    public FloatBuffer parameterView() {
        return params.f.asReadOnlyBuffer();
    }

    /** A copy of the flat parameter vector (layout fixed by the config; see {@link #layout()}). */
    public float[] params() {
        float[] out = new float[nParams];
        params.copyTo(out);
        return out;
    }

    /** Replaces all parameters; {@code p.length} must equal {@link #numParams()}. */
    public void setParams(float[] p) {
        requireLen("params", p.length, nParams);
        params.copyFrom(p);
    }

    /** A copy of the AdamW moments: {@code [m (numParams floats), v (numParams floats)]}. */
    public float[] optimizerState() {
        float[] out = new float[2 * nParams];
        m.f.get(0, out, 0, nParams);
        v.f.get(0, out, nParams, nParams);
        return out;
    }

    /** Replaces the AdamW moments ({@code 2 * numParams} floats: m then v). */
    public void setOptimizerState(float[] s) {
        requireLen("optimizer state", s.length, 2L * nParams);
        m.f.put(0, s, 0, nParams);
        v.f.put(0, s, nParams, nParams);
    }

    /** Optimizer steps taken so far (AdamW's bias-correction counter t). */
    public long optimizerSteps() {
        return adamT;
    }

    public void setOptimizerSteps(long t) {
        if (t < 0) {
            throw new IllegalArgumentException("optimizer steps must be >= 0: " + t);
        }
        this.adamT = t;
    }

    /** State of the dropout RNG (a single long; see {@link Rng}). */
    public long rngState() {
        return rng.state();
    }

    public void setRngState(long s) {
        rng.setState(s);
    }

    /** Global L2 norm of the gradient before clipping, at the last {@link #update}. */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    /** Names of the parameter tensors in layout order, with their offset and size ("name@offset+size"). */
    public List<String> tensorNames() {
        List<String> names = new ArrayList<>();
        for (ParamLayout.Tensor t : lay.tensors()) {
            names.add(t.name() + "@" + t.offset() + "+" + t.size());
        }
        return names;
    }

    private static void requireLen(String what, long got, long want) {
        if (got != want) {
            throw new IllegalArgumentException(what + " has " + got + " floats, the model needs " + want);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
        for (Worker w : workers) {
            w.close();
        }
        workers.clear();
        params.close();
        grads.close();
        m.close();
        v.close();
    }

    // ------------------------------------------------------------------ public compute API

    /**
     * One AdamW step on next-token cross-entropy: {@link #gradient} with a {@link CrossEntropyLoss} over {@code y}
     * (micro-batches of {@code tc.microBatchSize()} rows: gradient accumulation, exactly as one big batch), then
     * {@link #update} (global-norm clipping, AdamW with learning rate {@code lr}; take it from
     * {@code tc.schedule().at(step)}). Dropout (if the config has any) draws from this model's RNG.
     *
     * @param x input token ids, {@code [rows][T]} with {@code T <= blockSize} and rows a multiple of
     *          {@code tc.microBatchSize()} (usually {@code tc.batchSize()})
     * @param y target ids (x shifted by one), same shape; -1 = position not trained
     * @return the mean training loss (nats per target) over all rows, before the update
     */
    public double trainStep(int[][] x, int[][] y, double lr, TrainConfig tc) {
        int rows = checkBatch(x, y);
        if (rows % tc.microBatchSize() != 0) {
            throw new IllegalArgumentException("batch of " + rows + " rows is not a multiple of "
                    + "TrainConfig.microBatchSize=" + tc.microBatchSize());
        }
        double loss = gradient(x, new CrossEntropyLoss(y), tc);
        update(lr, tc);
        return loss;
    }

    /** Same as {@link #trainStep(int[][], int[][], double, TrainConfig)} with the batch split per {@code tc}. */
    public double trainStep(TokenWindows.Batch batch, double lr, TrainConfig tc) {
        return trainStep(batch.x(), batch.y(), lr, tc);
    }

    /**
     * The gradient of a loss computed outside the model, into the gradient buffer (no update: call {@link #update}).
     * Zeroes the gradient, then for each micro-batch of {@code tc.microBatchSize()} rows (the last one may be
     * shorter): forward pass (dropout on), {@code loss.apply} (on each worker's rows), backward pass.
     *
     * @param x input token ids {@code [rows][T]}, all rows of one length {@code T <= blockSize}
     * @return the sum of {@code loss.apply}'s results (the batch loss)
     */
    public double gradient(int[][] x, LogitsLoss loss, TrainConfig tc) {
        int rows = checkRows(x);
        int T = x[0].length;
        int mb = tc.microBatchSize();
        int used = Math.min(threads, Math.min(mb, rows));
        grads.zero();
        for (int j = 1; j < used; j++) {
            worker(j).grad.zero();
        }
        double total = 0;
        for (int s = 0; s < rows; s += mb) {
            total += pass(x, s, Math.min(mb, rows - s), T, loss, true);
        }
        sumWorkerGradients(used);
        return total;
    }

    /**
     * Forward passes without dropout that hand each micro-batch (up to 16 rows, split over the workers) to
     * {@code visitor}; what it writes into the logits or the hidden gradient is ignored. Parameters, gradients,
     * moments and the RNG are untouched: reference-model log-probs, reward scoring, teacher logits, evaluation.
     *
     * @return the sum of {@code visitor.apply}'s results
     */
    public double forwardInference(int[][] x, LogitsLoss visitor) {
        int rows = checkRows(x);
        int T = x[0].length;
        double total = 0;
        for (int s = 0; s < rows; s += INFERENCE_ROWS) {
            total += pass(x, s, Math.min(INFERENCE_ROWS, rows - s), T, visitor, false);
        }
        return total;
    }

    /**
     * log p(y[b][t] | x[b][0..t]) at every position, without dropout and without state changes; positions with
     * {@code y = -1} get 0.
     */
    public float[][] tokenLogProbs(int[][] x, int[][] y) {
        checkBatch(x, y);
        float[][] out = new float[x.length][x[0].length];
        forwardInference(x, (row0, mb) -> {
            FloatBuffer lg = mb.logits();
            int T = mb.T();
            for (int b = 0; b < mb.rows(); b++) {
                for (int t = 0; t < T; t++) {
                    int tgt = y[row0 + b][t];
                    if (tgt == CrossEntropyLoss.IGNORE) {
                        continue;
                    }
                    if (tgt < 0 || tgt >= V) {
                        throw new IllegalArgumentException("target id " + tgt + " at row " + (row0 + b)
                                + " position " + t + " is outside GPTConfig.vocabSize=" + V);
                    }
                    int o = (b * T + t) * V;
                    float mx = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < V; i++) {
                        mx = Math.max(mx, lg.get(o + i));
                    }
                    double z = 0;
                    for (int i = 0; i < V; i++) {
                        z += Math.exp(lg.get(o + i) - mx);
                    }
                    out[row0 + b][t] = (float) (lg.get(o + tgt) - mx - Math.log(z));
                }
            }
            return 0;
        });
        return out;
    }

    /** Mean cross-entropy (nats per target) of {@code y} given {@code x}, without dropout; no state changes. */
    public double loss(int[][] x, int[][] y) {
        checkBatch(x, y);
        int T = x[0].length;
        long count = new CrossEntropyLoss(y).count();
        double sum = forwardInference(x, (row0, mb) ->
                CrossEntropyLoss.nats(mb.logits(), y, row0, mb.rows(), T, V, 0f));
        return count == 0 ? 0 : sum / count;
    }

    /** Next-token logits after {@code context} (1..blockSize ids), without dropout. */
    public float[] logits(int[] context) {
        float[][] all = allLogits(context);
        return all[all.length - 1];
    }

    /** Logits at every position of {@code context}: {@code [T][vocabSize]}. */
    public float[][] allLogits(int[] context) {
        if (context.length == 0) {
            throw new IllegalArgumentException("context is empty");
        }
        int T = context.length;
        checkT(T);
        Worker w = worker(0);
        w.forward(new int[][] {context}, 0, 1, T, false, 0, 1, 0);
        float[][] out = new float[T][V];
        for (int t = 0; t < T; t++) {
            w.acts.logits.f.get(t * V, out[t], 0, V);
        }
        return out;
    }

    /** A KV-cached incremental decoder over this model's current parameters (see {@link KvCache}). */
    public KvCache kvCache() {
        return new KvCache(this);
    }

    /**
     * A copy with {@code newVocab >= vocabSize} token rows (for chat special tokens): every old tensor is copied
     * exactly (old ids keep their embedding and LM-head rows), the new rows of the token embedding (and of an
     * untied LM head) are drawn N(0, 0.02) from {@code seed}. The copy starts a fresh optimizer (zero moments, step
     * 0), continues this model's dropout RNG and has its thread count. Logits over old ids of a context of old ids
     * are unchanged.
     */
    public GPT withVocabSize(int newVocab, long seed) {
        if (newVocab < V) {
            throw new IllegalArgumentException("new vocabulary size " + newVocab + " is smaller than GPTConfig.vocabSize="
                    + V + ": rows can only be added");
        }
        GPTConfig nc = new GPTConfig(newVocab, maxT, L, H, C, cfg.dropout(), cfg.bias(), cfg.tiedEmbeddings(),
                cfg.exactGelu());
        GPT out = new GPT(nc, seed); // new rows get GPT-2's init N(0, 0.02) from this seed
        FloatBuffer src = params.f, dst = out.params.f;
        for (int i = 0; i < lay.tensors().size(); i++) {
            ParamLayout.Tensor from = lay.tensors().get(i), to = out.lay.tensors().get(i);
            boolean tokenRows = from.offset() == lay.wte() || from.offset() == lay.lmHead();
            int n = tokenRows ? V * C : from.size(); // the old rows are the first V rows
            dst.put(to.offset(), src, from.offset(), n);
        }
        out.rng.setState(rng.state());
        out.setThreads(threads);
        return out;
    }

    private void checkT(int T) {
        if (T > maxT) {
            throw new IllegalArgumentException("context length " + T + " exceeds the model's GPTConfig.blockSize="
                    + maxT);
        }
    }

    private int checkBatch(int[][] x, int[][] y) {
        int rows = checkRows(x);
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " rows and y " + y.length + " (need the same)");
        }
        for (int i = 0; i < rows; i++) {
            if (y[i].length != x[i].length) {
                throw new IllegalArgumentException("row " + i + " has length " + x[i].length + " in x and "
                        + y[i].length + " in y");
            }
        }
        return rows;
    }

    private int checkRows(int[][] x) {
        if (x.length == 0) {
            throw new IllegalArgumentException("empty batch: x has 0 rows");
        }
        int T = x[0].length;
        if (T == 0) {
            throw new IllegalArgumentException("empty sequences");
        }
        checkT(T);
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != T) {
                throw new IllegalArgumentException("row " + i + " has length " + x[i].length + ", row 0 has " + T
                        + ": all rows of a batch must have one length");
            }
        }
        return x.length;
    }

    // ------------------------------------------------------------------ the workers

    /**
     * One micro-batch (rows {@code row0..row0+B-1}) split over the workers: forward, {@code loss.apply}, and with
     * {@code train} backward (dropout on) into each worker's gradient. Returns the sum of apply's results in worker
     * order.
     */
    private double pass(int[][] x, int row0, int B, int T, LogitsLoss loss, boolean train) {
        int n = Math.min(threads, B);
        double[] part = new double[n];
        boolean drop = train && pDrop > 0;
        long rngAt = rng.state();
        parallel(n, j -> {
            int r0 = B * j / n, r1 = B * (j + 1) / n;
            Worker w = worker(j);
            w.forward(x, row0 + r0, r1 - r0, T, drop, rngAt, B, r0);
            part[j] = loss.apply(row0 + r0, w.view(r1 - r0, T));
            if (train) {
                w.backward(x, row0 + r0, r1 - r0, T);
            }
        });
        if (drop) {
            rng.setState(Rng.jump(rngAt, dropoutDraws(B, T)));
        }
        double sum = 0;
        for (double p : part) {
            sum += p;
        }
        return sum;
    }

    /** Random numbers the dropout of one micro-batch of B rows draws (the enc mask, then per block att, res2, res3). */
    private long dropoutDraws(int B, int T) {
        return (long) B * T * C + (long) L * ((long) B * H * T * T + 2L * B * T * C);
    }

    /** grads += the other workers' gradients, in worker order (each thread sums a range of parameters). */
    private void sumWorkerGradients(int used) {
        if (used < 2) {
            return;
        }
        parallel(used, j -> {
            int lo = (int) ((long) nParams * j / used), hi = (int) ((long) nParams * (j + 1) / used);
            for (int k = 1; k < used; k++) {
                kern.addInto(grads, workers.get(k).grad, lo, hi);
            }
        });
    }

    private Worker worker(int j) {
        while (workers.size() <= j) {
            workers.add(new Worker(workers.isEmpty() ? grads : new Buf(nParams)));
        }
        return workers.get(j);
    }

    /** Runs {@code task(j)} for j in [0, n): j = 0 on the calling thread, the rest on the pool; rethrows a failure. */
    private void parallel(int n, IntConsumer task) {
        if (n == 1) {
            task.accept(0);
            return;
        }
        for (int j = 0; j < n; j++) {
            worker(j); // created here, not on the pool threads
        }
        if (Blas.threads() != 1) {
            Blas.setThreads(1);
        }
        if (pool == null) {
            pool = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(r, "gpt-worker");
                t.setDaemon(true);
                return t;
            });
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int j = 1; j < n; j++) {
            int jj = j;
            futures.add(pool.submit(() -> task.accept(jj)));
        }
        Throwable failure = null;
        try {
            task.accept(0);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new IllegalStateException("interrupted waiting for a worker", e);
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error er) {
            throw er;
        }
        if (failure != null) {
            throw new IllegalStateException("a GPT worker failed", failure);
        }
    }

    private record View(int rows, int T, int V, int C, FloatBuffer logits, FloatBuffer hidden,
                        FloatBuffer hiddenGrad) implements MicroBatch {}

    /**
     * One share of a micro-batch's rows: its activations, its gradient buffer (worker 0 writes the model's own) and
     * its dropout RNG. Reads the shared parameters; writes only its own buffers.
     */
    private final class Worker {
        final Buf grad;
        final Rng drng = new Rng(0);
        Activations acts;
        private long dropAt;

        Worker(Buf grad) {
            this.grad = grad;
        }

        Activations acts(int B) {
            if (acts == null || acts.rows < B) {
                if (acts != null) {
                    acts.close();
                }
                acts = new Activations(cfg, B);
            }
            return acts;
        }

        /** The last forward pass as a {@link LogitsLoss} sees it; zeroes the hidden gradient. */
        MicroBatch view(int B, int T) {
            int btc = B * T * C;
            FloatBuffer hg = acts.dBTC.f;
            for (int i = 0; i < btc; i++) {
                hg.put(i, 0f);
            }
            return new View(B, T, V, C, acts.logits.f.slice(0, B * T * V), acts.lnf.f.slice(0, btc).asReadOnlyBuffer(),
                    hg.slice(0, btc));
        }

        void close() {
            if (acts != null) {
                acts.close();
                acts = null;
            }
            if (grad != grads) {
                grad.close();
            }
        }

        // forward

        void forward(int[][] x, int row0, int B, int T, boolean drop, long rngAt, int mbRows, int r0) {
            Activations a = acts(B);
            dropAt = rngAt;
            FloatBuffer p = params.f;
            int BT = B * T;
            FloatBuffer enc = a.enc.f;
            for (int b = 0; b < B; b++) {
                int[] row = x[row0 + b];
                for (int t = 0; t < T; t++) {
                    int tok = row[t];
                    if (tok < 0 || tok >= V) {
                        throw new IllegalArgumentException("token id " + tok + " at row " + (row0 + b) + " position " + t
                                + " is outside GPTConfig.vocabSize=" + V);
                    }
                    int o = (b * T + t) * C, wo = lay.wte() + tok * C, po = lay.wpe() + t * C;
                    for (int c = 0; c < C; c++) {
                        enc.put(o + c, p.get(wo + c) + p.get(po + c));
                    }
                }
            }
            // Dropout: the micro-batch's masks are one run of the model's RNG stream (enc, then per block att, res2,
            // res3, each row-major over the micro-batch's mbRows rows); this worker jumps to its rows' place in each.
            long attDraws = (long) mbRows * H * T * T, btcDraws = (long) mbRows * T * C;
            if (drop) {
                seek((long) r0 * T * C);
                dropout(a.enc, a.encMask, BT * C);
            }
            Buf res = a.enc;
            for (int l = 0; l < L; l++) {
                ParamLayout.Block k = lay.blocks().get(l);
                Activations.Layer la = a.layer[l];
                long at = btcDraws + l * (attDraws + 2 * btcDraws);
                layerNorm(la.ln1, la.ln1Mean, la.ln1Rstd, res, k.ln1W(), k.ln1B(), BT);
                linear(la.qkv, la.ln1, k.qkvW(), k.qkvB(), BT, C, 3 * C);
                if (drop) {
                    seek(at + (long) r0 * H * T * T);
                }
                attentionForward(a, la, B, T, drop);
                linear(a.sBTC, la.atty, k.projW(), k.projB(), BT, C, C);
                if (drop) {
                    seek(at + attDraws + (long) r0 * T * C);
                }
                residual(la.res2, res, a.sBTC, drop ? la.drop2 : null, BT * C);
                layerNorm(la.ln2, la.ln2Mean, la.ln2Rstd, la.res2, k.ln2W(), k.ln2B(), BT);
                linear(la.fch, la.ln2, k.fcW(), k.fcB(), BT, C, 4 * C);
                kern.geluKeep(la.fchg, la.fchTanh, la.fch, BT * 4 * C, cfg.exactGelu());
                linear(a.sBTC, la.fchg, k.fc2W(), k.fc2B(), BT, 4 * C, C);
                if (drop) {
                    seek(at + attDraws + btcDraws + (long) r0 * T * C);
                }
                residual(la.res3, la.res2, a.sBTC, drop ? la.drop3 : null, BT * C);
                res = la.res3;
            }
            layerNorm(a.lnf, a.lnfMean, a.lnfRstd, res, lay.lnfW(), lay.lnfB(), BT);
            linear(a.logits, a.lnf, lay.lmHead(), -1, BT, C, V);
        }

        /** Puts the dropout RNG where the micro-batch's stream is after {@code draws} numbers. */
        private void seek(long draws) {
            drng.setState(Rng.jump(dropAt, draws));
        }

        /** In place: x *= mask, mask = 0 or 1/(1-p) drawn from the model RNG. */
        private void dropout(Buf xb, Buf maskb, int n) {
            FloatBuffer x = xb.f, mask = maskb.f;
            float keep = 1f / (1f - pDrop);
            for (int i = 0; i < n; i++) {
                float mk = drng.nextDouble() < pDrop ? 0f : keep;
                mask.put(i, mk);
                x.put(i, x.get(i) * mk);
            }
        }

        /** out = a + drop(b) (b's mask drawn now when {@code maskb} is given). */
        private void residual(Buf outb, Buf ab, Buf bb, Buf maskb, int n) {
            FloatBuffer out = outb.f, av = ab.f, bv = bb.f;
            if (maskb == null) {
                kern.add(outb, ab, bb, n);
            } else {
                FloatBuffer mask = maskb.f;
                float keep = 1f / (1f - pDrop);
                for (int i = 0; i < n; i++) {
                    float mk = drng.nextDouble() < pDrop ? 0f : keep;
                    mask.put(i, mk);
                    out.put(i, av.get(i) + bv.get(i) * mk);
                }
            }
        }

        private void attentionForward(Activations a, Activations.Layer la, int B, int T, boolean drop) {
            Buf qkv = la.qkv, att = la.att, y = la.atty;
            FloatBuffer attf = att.f;
            float scale = (float) (1.0 / Math.sqrt(hs));
            int C3 = 3 * C;
            float keep = 1f / (1f - pDrop);
            for (int b = 0; b < B; b++) {
                for (int h = 0; h < H; h++) {
                    int q = b * T * C3 + h * hs;
                    int ao = (b * H + h) * T * T;
                    for (int r0 = 0; r0 < T; r0 += attBlock) { // S = scale Q K^T, the keys up to each row block
                        int rn = Math.min(attBlock, T - r0);
                        Blas.gemm(false, true, rn, r0 + rn, hs, scale, qkv.at(q + r0 * C3), C3, qkv.at(q + C), C3, 0f,
                                att.at(ao + r0 * T), T);
                    }
                    kern.softmaxCausal(att, ao, T);
                    Buf pUse = att;
                    int pOff = ao;
                    if (drop) {
                        FloatBuffer mk = la.attMask.f, ps = a.pScr.f;
                        for (int i = 0; i < T * T; i++) {
                            float mv = drng.nextDouble() < pDrop ? 0f : keep;
                            mk.put(ao + i, mv);
                            ps.put(i, attf.get(ao + i) * mv);
                        }
                        pUse = a.pScr;
                        pOff = 0;
                    }
                    for (int r0 = 0; r0 < T; r0 += attBlock) { // Y = P V
                        int rn = Math.min(attBlock, T - r0);
                        Blas.gemm(false, false, rn, hs, r0 + rn, 1f, pUse.at(pOff + r0 * T), T, qkv.at(q + 2 * C), C3,
                                0f, y.at(b * T * C + r0 * C + h * hs), C);
                    }
                }
            }
        }

        // backward

        private void backward(int[][] x, int row0, int B, int T) {
            Activations a = acts;
            int BT = B * T;
            boolean drop = pDrop > 0;
            // LM head; a.dBTC already holds what the loss added to dLoss/dhidden (zero for a plain LM loss)
            linearBackward(a.dBTC, true, a.logits, a.lnf, lay.lmHead(), -1, BT, C, V);
            a.dres.zero();
            Buf lastRes = L > 0 ? a.layer[L - 1].res3 : a.enc;
            layerNormBackward(a.dres, a.dBTC, lastRes, a.lnfMean, a.lnfRstd, lay.lnfW(), lay.lnfB(), BT);
            for (int l = L - 1; l >= 0; l--) {
                ParamLayout.Block k = lay.blocks().get(l);
                Activations.Layer la = a.layer[l];
                Buf resIn = l == 0 ? a.enc : a.layer[l - 1].res3;
                // MLP branch: res3 = res2 + drop(fc2(gelu(fc(ln2(res2)))))
                Buf dBranch = maskedCopy(a.sBTC, a.dres, drop ? la.drop3 : null, BT * C);
                linearBackward(a.dfch, dBranch, la.fchg, k.fc2W(), k.fc2B(), BT, 4 * C, C);
                kern.geluBackward(a.dfch, la.fch, la.fchTanh, BT * 4 * C, cfg.exactGelu());
                linearBackward(a.dBTC, a.dfch, la.ln2, k.fcW(), k.fcB(), BT, C, 4 * C);
                layerNormBackward(a.dres, a.dBTC, la.res2, la.ln2Mean, la.ln2Rstd, k.ln2W(), k.ln2B(), BT);
                // attention branch: res2 = resIn + drop(proj(attn(ln1(resIn))))
                dBranch = maskedCopy(a.sBTC, a.dres, drop ? la.drop2 : null, BT * C);
                linearBackward(a.dBTC, dBranch, la.atty, k.projW(), k.projB(), BT, C, C);
                attentionBackward(a, la, B, T, drop);
                linearBackward(a.dBTC, a.dqkv, la.ln1, k.qkvW(), k.qkvB(), BT, C, 3 * C);
                layerNormBackward(a.dres, a.dBTC, resIn, la.ln1Mean, la.ln1Rstd, k.ln1W(), k.ln1B(), BT);
            }
            // embeddings
            FloatBuffer d = a.dres.f, g = grad.f;
            if (drop) {
                FloatBuffer mk = a.encMask.f;
                for (int i = 0; i < BT * C; i++) {
                    d.put(i, d.get(i) * mk.get(i));
                }
            }
            for (int b = 0; b < B; b++) {
                int[] row = x[row0 + b];
                for (int t = 0; t < T; t++) {
                    int o = (b * T + t) * C, wo = lay.wte() + row[t] * C, po = lay.wpe() + t * C;
                    for (int c = 0; c < C; c++) {
                        float dv = d.get(o + c);
                        g.put(wo + c, g.get(wo + c) + dv);
                        g.put(po + c, g.get(po + c) + dv);
                    }
                }
            }
        }

        /** dIn = dOut W (overwritten); dW += dOut^T in; db += column sums of dOut. */
        private void linearBackward(Buf dIn, Buf dOut, Buf in, int w, int b, int BT, int ic, int oc) {
            linearBackward(dIn, false, dOut, in, w, b, BT, ic, oc);
        }

        /** As above, with {@code addToDIn}: dIn += dOut W. */
        private void linearBackward(Buf dIn, boolean addToDIn, Buf dOut, Buf in, int w, int b, int BT, int ic, int oc) {
            Blas.gemm(false, false, BT, ic, oc, 1f, dOut.ptr, oc, params.at(w), ic, addToDIn ? 1f : 0f, dIn.ptr, ic);
            Blas.gemm(true, false, oc, ic, BT, 1f, dOut.ptr, oc, in.ptr, ic, 1f, grad.at(w), ic);
            if (b >= 0) {
                FloatBuffer d = dOut.f, g = grad.f;
                for (int i = 0; i < BT; i++) {
                    int r = i * oc;
                    for (int j = 0; j < oc; j++) {
                        g.put(b + j, g.get(b + j) + d.get(r + j));
                    }
                }
            }
        }

        /** dIn += LN backward of dOut; gains and biases accumulate into the gradient buffer. */
        private void layerNormBackward(Buf dIn, Buf dOut, Buf in, Buf mean, Buf rstd, int w, int bias, int BT) {
            kern.layerNormBackward(dIn, dOut, in, mean, rstd, params, grad, w, bias, BT, C);
        }

        /** From dL/d(atty) in a.dBTC to dL/d(qkv) in a.dqkv. */
        private void attentionBackward(Activations a, Activations.Layer la, int B, int T, boolean drop) {
            Buf qkv = la.qkv, att = la.att, dy = a.dBTC, dqkv = a.dqkv;
            FloatBuffer attf = att.f, dp = a.dpScr.f;
            float scale = (float) (1.0 / Math.sqrt(hs));
            int C3 = 3 * C;
            for (int b = 0; b < B; b++) {
                for (int h = 0; h < H; h++) {
                    int q = b * T * C3 + h * hs;
                    int ao = (b * H + h) * T * T;
                    int yo = b * T * C + h * hs;
                    Buf pUse = att;
                    int pOff = ao;
                    if (drop) {
                        FloatBuffer mk = la.attMask.f, ps = a.pScr.f;
                        for (int i = 0; i < T * T; i++) {
                            ps.put(i, attf.get(ao + i) * mk.get(ao + i));
                        }
                        pUse = a.pScr;
                        pOff = 0;
                    }
                    // dP' = dY V^T by row blocks (keys up to the block); dV = P'^T dY by column blocks (the rows
                    // from the block's first on: P' is 0 above the diagonal)
                    for (int r0 = 0; r0 < T; r0 += attBlock) {
                        int rn = Math.min(attBlock, T - r0);
                        Blas.gemm(false, true, rn, r0 + rn, hs, 1f, dy.at(yo + r0 * C), C, qkv.at(q + 2 * C), C3, 0f,
                                a.dpScr.at(r0 * T), T);
                        Blas.gemm(true, false, rn, hs, T - r0, 1f, pUse.at(pOff + r0 * T + r0), T, dy.at(yo + r0 * C),
                                C, 0f, dqkv.at(q + 2 * C + r0 * C3), C3);
                    }
                    // softmax backward (through the dropout mask), scaled; result in dpScr
                    if (drop) {
                        FloatBuffer mk = la.attMask.f;
                        for (int t = 0; t < T; t++) {
                            int r = ao + t * T, rr = t * T;
                            for (int j = 0; j <= t; j++) {
                                dp.put(rr + j, dp.get(rr + j) * mk.get(r + j));
                            }
                        }
                    }
                    kern.softmaxBackward(att, ao, a.dpScr, T, scale);
                    // dQ = dS K by row blocks; dK = dS^T Q by column blocks
                    for (int r0 = 0; r0 < T; r0 += attBlock) {
                        int rn = Math.min(attBlock, T - r0);
                        Blas.gemm(false, false, rn, hs, r0 + rn, 1f, a.dpScr.at(r0 * T), T, qkv.at(q + C), C3, 0f,
                                dqkv.at(q + r0 * C3), C3);
                        Blas.gemm(true, false, rn, hs, T - r0, 1f, a.dpScr.at(r0 * T + r0), T, qkv.at(q + r0 * C3), C3,
                                0f, dqkv.at(q + C + r0 * C3), C3);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ layers shared by the workers and KvCache

    void layerNorm(Buf out, Buf mean, Buf rstd, Buf in, int w, int bias, int BT) {
        kern.layerNorm(out, mean, rstd, in, params, w, bias, BT, C);
    }

    /** out[BT x oc] = in[BT x ic] W^T + b, W stored [oc x ic] (PyTorch's Linear layout). */
    void linear(Buf out, Buf in, int w, int b, int BT, int ic, int oc) {
        Blas.gemm(false, true, BT, oc, ic, 1f, in.ptr, ic, params.at(w), ic, 0f, out.ptr, oc);
        if (b >= 0) {
            FloatBuffer o = out.f, p = params.f;
            for (int i = 0; i < BT; i++) {
                int r = i * oc;
                for (int j = 0; j < oc; j++) {
                    o.put(r + j, o.get(r + j) + p.get(b + j));
                }
            }
        }
    }

    static void gelu(Buf outb, Buf inb, int n, boolean exact) {
        FloatBuffer out = outb.f, in = inb.f;
        for (int i = 0; i < n; i++) {
            float x = in.get(i);
            out.put(i, exact ? x * normalCdf(x) : 0.5f * x * (1f + tanh(GELU_K * (x + 0.044715f * x * x * x))));
        }
    }

    /**
     * Phi(x) = (1 + erf(x / sqrt 2)) / 2, erf by Abramowitz and Stegun 7.1.26 (absolute error <= 1.5e-7, below float
     * rounding at the values GELU sees): Java has no erf.
     */
    public static float normalCdf(float x) {
        double z = Math.abs(x) * INV_SQRT2;
        double t = 1.0 / (1.0 + 0.3275911 * z);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                + t * 1.061405429))));
        double erf = 1.0 - poly * Math.exp(-z * z);
        return (float) (0.5 * (1.0 + (x < 0 ? -erf : erf)));
    }

    /**
     * tanh as a clamped 13/6-degree rational function (Eigen's float tanh; max abs error 3.4e-7 against the exact
     * value over [-12, 12], checked when written): no exp and no branch but the clamp. GELU with Math.tanh or an
     * exp per element took a quarter of a training step.
     */
    public static float tanh(float u) {
        float x = Math.max(-7.90531110763549805f, Math.min(7.90531110763549805f, u));
        float x2 = x * x;
        float p = -2.76076847742355e-16f;
        p = p * x2 + 2.00018790482477e-13f;
        p = p * x2 - 8.60467152213735e-11f;
        p = p * x2 + 5.12229709037114e-08f;
        p = p * x2 + 1.48572235717979e-05f;
        p = p * x2 + 6.37261928875436e-04f;
        p = p * x2 + 4.89352455891786e-03f;
        p = p * x;
        float q = 1.19825839466702e-06f;
        q = q * x2 + 1.18534705686654e-04f;
        q = q * x2 + 2.26843463243900e-03f;
        q = q * x2 + 4.89352518554385e-03f;
        return p / q;
    }

    /** out = src * mask, or src itself when there is no mask. */
    private static Buf maskedCopy(Buf out, Buf src, Buf maskb, int n) {
        if (maskb == null) {
            return src;
        }
        FloatBuffer o = out.f, s = src.f, mk = maskb.f;
        for (int i = 0; i < n; i++) {
            o.put(i, s.get(i) * mk.get(i));
        }
        return out;
    }

    // ------------------------------------------------------------------ optimizer

    /**
     * One optimizer step from the gradient of the last {@link #gradient} call: clip to the global L2 norm
     * {@code tc.gradClip()} (0 = no clipping), then AdamW with learning rate {@code lr}, betas, eps and decoupled
     * weight decay from {@code tc}; the optimizer step count goes up by one. The element-wise update runs on the
     * workers (each a range of parameters: the same numbers at any thread count).
     *
     * @throws IllegalStateException if the gradient norm is not finite (diverged)
     */
    public void update(double lr, TrainConfig tc) {
        int n = threads;
        double[] part = new double[n];
        parallel(n, j -> part[j] = kern.sumSquares(grads, (int) ((long) nParams * j / n),
                (int) ((long) nParams * (j + 1) / n)));
        double ss = 0;
        for (double x : part) {
            ss += x; // in worker order: deterministic for a thread count
        }
        double norm = Math.sqrt(ss);
        lastGradNorm = norm;
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("gradient norm is " + norm + " (diverged): lower the learning rate");
        }
        float clip = (tc.gradClip() > 0 && norm > tc.gradClip()) ? (float) (tc.gradClip() / norm) : 1f;
        adamT++;
        double bc1 = 1 - Math.pow(tc.beta1(), adamT);
        double bc2 = 1 - Math.pow(tc.beta2(), adamT);
        float decay = (float) (1 - lr * tc.weightDecay());
        Kernels.AdamW plain = new Kernels.AdamW(clip, (float) tc.beta1(), (float) tc.beta2(), (float) (lr / bc1),
                (float) Math.sqrt(bc2), (float) tc.eps(), 1f);
        Kernels.AdamW decayed = new Kernels.AdamW(clip, plain.b1(), plain.b2(), plain.stepSize(), plain.bc2Sqrt(),
                plain.eps(), decay);
        parallel(n, j -> {
            int lo = (int) ((long) nParams * j / n), hi = (int) ((long) nParams * (j + 1) / n);
            for (ParamLayout.Tensor tsr : lay.tensors()) {
                int from = Math.max(lo, tsr.offset()), to = Math.min(hi, tsr.offset() + tsr.size());
                boolean dec = tc.weightDecay() > 0 && (tsr.decay()
                        || (tc.decayEmbeddings() && (tsr.offset() == lay.wte() || tsr.offset() == lay.wpe())));
                kern.adamw(params, grads, m, v, from, to, dec ? decayed : plain);
            }
        });
    }

    // ------------------------------------------------------------------ package-private access for tests/KvCache

    /** Gradient of the last trainStep / {@link #gradient} call (a copy). */
    float[] gradientCopy() {
        float[] out = new float[nParams];
        grads.copyTo(out);
        return out;
    }

    /** Sets the attention block rows (tests: several blocks at a small T). */
    GPT attentionBlock(int rows) {
        if (rows < 1 || rows % 16 != 0) {
            throw new IllegalArgumentException("attention block of " + rows + " rows is not a positive multiple of 16");
        }
        attBlock = rows;
        return this;
    }

    Buf paramBuf() {
        return params;
    }
}
