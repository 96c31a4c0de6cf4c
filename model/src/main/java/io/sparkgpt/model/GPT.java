package io.sparkgpt.model;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

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
 * N(0, 0.02/sqrt(2 nLayer)) for the two residual projections, zero biases, unit LayerNorm gains.
 *
 * <p>Parameters, AdamW moments and the dropout RNG are plain state that can be read and written
 * ({@link #params()}, {@link #optimizerState()}, {@link #rngState()}), so a distributed trainer can average
 * parameters (and moments) across workers and a checkpoint can resume bit for bit. Not thread-safe: one instance per
 * thread. Holds off-heap memory: {@link #close()} frees it (a finalizer-free design; unreferenced instances are
 * freed by javacpp's deallocator eventually).
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
    private static final float LN_EPS = 1e-5f;
    private static final float GELU_K = (float) Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    private final GPTConfig cfg;
    private final int C, H, hs, V, L, maxT;
    private final boolean hasBias;
    private final float pDrop;
    private final int nParams;
    private final Buf params, grads, m, v;
    private long adamT;
    private final Rng rng;
    private double lastGradNorm = Double.NaN;

    // parameter offsets; -1 = absent (no bias)
    private final int wte, wpe, lnfw, lnfb, lmw;
    private final int[] ln1w, ln1b, qkvw, qkvb, attw, attb, ln2w, ln2b, fcw, fcb, fc2w, fc2b;
    /** {offset, size, decay(0/1)} of every tensor, for the optimizer. */
    private final List<int[]> tensors = new ArrayList<>();

    private Acts acts;

    private GPT(GPTConfig cfg, long seed) {
        this.cfg = cfg;
        this.C = cfg.nEmbd();
        this.H = cfg.nHead();
        this.hs = cfg.headSize();
        this.V = cfg.vocabSize();
        this.L = cfg.nLayer();
        this.maxT = cfg.blockSize();
        this.hasBias = cfg.bias();
        this.pDrop = (float) cfg.dropout();
        int[] next = {0};
        wte = alloc(next, (long) V * C, false);
        wpe = alloc(next, (long) maxT * C, false);
        ln1w = new int[L]; ln1b = new int[L]; qkvw = new int[L]; qkvb = new int[L]; attw = new int[L];
        attb = new int[L]; ln2w = new int[L]; ln2b = new int[L]; fcw = new int[L]; fcb = new int[L];
        fc2w = new int[L]; fc2b = new int[L];
        for (int l = 0; l < L; l++) {
            ln1w[l] = alloc(next, C, false);
            ln1b[l] = hasBias ? alloc(next, C, false) : -1;
            qkvw[l] = alloc(next, 3L * C * C, true);
            qkvb[l] = hasBias ? alloc(next, 3L * C, false) : -1;
            attw[l] = alloc(next, (long) C * C, true);
            attb[l] = hasBias ? alloc(next, C, false) : -1;
            ln2w[l] = alloc(next, C, false);
            ln2b[l] = hasBias ? alloc(next, C, false) : -1;
            fcw[l] = alloc(next, 4L * C * C, true);
            fcb[l] = hasBias ? alloc(next, 4L * C, false) : -1;
            fc2w[l] = alloc(next, 4L * C * C, true);
            fc2b[l] = hasBias ? alloc(next, C, false) : -1;
        }
        lnfw = alloc(next, C, false);
        lnfb = hasBias ? alloc(next, C, false) : -1;
        lmw = cfg.tiedEmbeddings() ? wte : alloc(next, (long) V * C, true);
        nParams = next[0];
        params = new Buf(nParams);
        grads = new Buf(nParams);
        m = new Buf(nParams);
        v = new Buf(nParams);
        rng = new Rng(seed);
        init(new Rng(Rng.mix(seed, 0x1417)));
        rng.setState(Rng.mix(seed, 0xD50));
    }

    /** Threads OpenBLAS uses for the matrix products (process-wide). */
    public static void setBlasThreads(int n) {
        Blas.setThreads(n);
    }

    public static int blasThreads() {
        return Blas.threads();
    }

    /** Number of parameters a model of {@code c} has (without building it). */
    public static long countParams(GPTConfig c) {
        long C = c.nEmbd(), V = c.vocabSize(), T = c.blockSize();
        long perLayer = 12 * C * C + (c.bias() ? 13 * C : 2 * C);
        return V * C + T * C + c.nLayer() * perLayer + (c.bias() ? 2 * C : C) + (c.tiedEmbeddings() ? 0 : V * C);
    }

    private int alloc(int[] next, long size, boolean decay) {
        if (next[0] + size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("model too large for one float buffer: more than 2^31 parameters");
        }
        int off = next[0];
        tensors.add(new int[] {off, (int) size, decay ? 1 : 0});
        next[0] += (int) size;
        return off;
    }

    /** A new model with GPT-2 initialisation drawn from {@code seed}; the same seed gives the same parameters. */
    public static GPT create(GPTConfig config, long seed) {
        return new GPT(config, seed);
    }

    private void init(Rng r) {
        FloatBuffer p = params.f;
        float std = 0.02f;
        float projStd = (float) (0.02 / Math.sqrt(2.0 * L));
        gauss(p, r, wte, V * C, std);
        gauss(p, r, wpe, maxT * C, std);
        for (int l = 0; l < L; l++) {
            fill(p, ln1w[l], C, 1f);
            gauss(p, r, qkvw[l], 3 * C * C, std);
            gauss(p, r, attw[l], C * C, projStd);
            fill(p, ln2w[l], C, 1f);
            gauss(p, r, fcw[l], 4 * C * C, std);
            gauss(p, r, fc2w[l], 4 * C * C, projStd);
        }
        fill(p, lnfw, C, 1f);
        if (!cfg.tiedEmbeddings()) {
            gauss(p, r, lmw, V * C, std);
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

    /** A copy of the flat parameter vector (layout fixed by the config; see {@link #tensorNames()}). */
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

    /** Global L2 norm of the gradient of the last {@link #trainStep} before clipping. */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    /**
     * A copy with {@code newVocab >= vocabSize} token rows (for chat special tokens): every old tensor is copied
     * exactly (old ids keep their embedding and LM-head rows), the new rows of the token embedding (and of an
     * untied LM head) are drawn N(0, 0.02) from {@code seed}. The copy starts a fresh optimizer (zero moments, step
     * 0) and continues this model's dropout RNG. Logits over old ids of a context of old ids are unchanged.
     */
    public GPT withVocabSize(int newVocab, long seed) {
        if (newVocab < V) {
            throw new IllegalArgumentException("new vocabulary size " + newVocab + " is smaller than GPTConfig.vocabSize="
                    + V + ": rows can only be added");
        }
        GPTConfig nc = new GPTConfig(newVocab, maxT, L, H, C, cfg.dropout(), hasBias, cfg.tiedEmbeddings(),
                cfg.exactGelu());
        GPT out = new GPT(nc, seed); // new rows get GPT-2's init N(0, 0.02) from this seed
        FloatBuffer src = params.f, dst = out.params.f;
        for (int i = 0; i < tensors.size(); i++) {
            int[] from = tensors.get(i), to = out.tensors.get(i);
            boolean tokenRows = from[0] == wte || from[0] == lmw;
            int n = tokenRows ? V * C : from[1]; // the old rows are the first V rows
            dst.put(to[0], src, from[0], n);
        }
        out.rng.setState(rng.state());
        return out;
    }

    /** Names of the parameter tensors in layout order, with their offset and size ("name@offset+size"). */
    public List<String> tensorNames() {
        List<String> names = new ArrayList<>();
        String[] perLayer = hasBias
                ? new String[] {"ln1.w", "ln1.b", "attn.qkv.w", "attn.qkv.b", "attn.proj.w", "attn.proj.b", "ln2.w",
                    "ln2.b", "mlp.fc.w", "mlp.fc.b", "mlp.proj.w", "mlp.proj.b"}
                : new String[] {"ln1.w", "attn.qkv.w", "attn.proj.w", "ln2.w", "mlp.fc.w", "mlp.proj.w"};
        List<String> order = new ArrayList<>(List.of("wte", "wpe"));
        for (int l = 0; l < L; l++) {
            for (String s : perLayer) {
                order.add("h." + l + "." + s);
            }
        }
        order.add("ln_f.w");
        if (hasBias) {
            order.add("ln_f.b");
        }
        if (!cfg.tiedEmbeddings()) {
            order.add("lm_head.w");
        }
        for (int i = 0; i < tensors.size(); i++) {
            names.add(order.get(i) + "@" + tensors.get(i)[0] + "+" + tensors.get(i)[1]);
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
        params.close();
        grads.close();
        m.close();
        v.close();
        if (acts != null) {
            acts.close();
            acts = null;
        }
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
     * shorter): forward pass (dropout on), {@code loss.apply}, backward pass.
     *
     * @param x input token ids {@code [rows][T]}, all rows of one length {@code T <= blockSize}
     * @return the sum of {@code loss.apply}'s results (the batch loss)
     */
    public double gradient(int[][] x, LogitsLoss loss, TrainConfig tc) {
        int rows = checkRows(x);
        int T = x[0].length;
        int mb = tc.microBatchSize();
        grads.zero();
        double total = 0;
        for (int s = 0; s < rows; s += mb) {
            int b = Math.min(mb, rows - s);
            forward(x, s, b, T, true);
            total += loss.apply(s, view(b, T));
            backward(x, s, b, T);
        }
        return total;
    }

    /**
     * Forward passes without dropout that hand each micro-batch (up to 16 rows) to {@code visitor}; what it writes
     * into the logits or the hidden gradient is ignored. Parameters, gradients, moments and the RNG are untouched:
     * reference-model log-probs, reward scoring, teacher logits, evaluation.
     *
     * @return the sum of {@code visitor.apply}'s results
     */
    public double forwardInference(int[][] x, LogitsLoss visitor) {
        int rows = checkRows(x);
        int T = x[0].length;
        int mb = Math.max(1, Math.min(rows, 16));
        double total = 0;
        for (int s = 0; s < rows; s += mb) {
            int b = Math.min(mb, rows - s);
            forward(x, s, b, T, false);
            total += visitor.apply(s, view(b, T));
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
            int T = mb.T(), V = mb.V();
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
        int rows = checkBatch(x, y);
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
        forward(new int[][] {context}, 0, 1, T, false);
        float[][] out = new float[T][V];
        for (int t = 0; t < T; t++) {
            acts.logits.f.get(t * V, out[t], 0, V);
        }
        return out;
    }

    /** A KV-cached incremental decoder over this model's current parameters (see {@link KvCache}). */
    public KvCache kvCache() {
        return new KvCache(this);
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

    /** The micro-batch of the last forward pass as a {@link LogitsLoss} sees it; zeroes the hidden gradient. */
    private MicroBatch view(int B, int T) {
        int btc = B * T * C;
        FloatBuffer hg = acts.dBTC.f;
        for (int i = 0; i < btc; i++) {
            hg.put(i, 0f);
        }
        return new View(B, T, V, C, acts.logits.f.slice(0, B * T * V), acts.lnf.f.slice(0, btc).asReadOnlyBuffer(),
                acts.dBTC.f.slice(0, btc));
    }

    private record View(int rows, int T, int V, int C, FloatBuffer logits, FloatBuffer hidden,
                        FloatBuffer hiddenGrad) implements MicroBatch {}

    // ------------------------------------------------------------------ activations

    /** Activation and scratch buffers for up to {@code bCap} sequences of up to blockSize tokens. */
    private final class Acts {
        final int bCap;
        final Buf enc, encMask, lnf, lnfMean, lnfRstd, logits;
        final Buf[] ln1, ln1Mean, ln1Rstd, qkv, att, attMask, atty, res2, drop2, ln2, ln2Mean, ln2Rstd, fch, fchg,
                fchTanh, res3, drop3;
        final Buf sBTC, dres, dBTC, dqkv, dfch, pScr, dpScr;

        Acts(int bCap) {
            this.bCap = bCap;
            int btc = bCap * maxT * C;
            int bt = bCap * maxT;
            int bhtt = bCap * H * maxT * maxT;
            boolean d = pDrop > 0;
            enc = new Buf(btc);
            encMask = d ? new Buf(btc) : null;
            ln1 = new Buf[L]; ln1Mean = new Buf[L]; ln1Rstd = new Buf[L]; qkv = new Buf[L]; att = new Buf[L];
            attMask = new Buf[L]; atty = new Buf[L]; res2 = new Buf[L]; drop2 = new Buf[L]; ln2 = new Buf[L];
            ln2Mean = new Buf[L]; ln2Rstd = new Buf[L]; fch = new Buf[L]; fchg = new Buf[L]; fchTanh = new Buf[L]; res3 = new Buf[L];
            drop3 = new Buf[L];
            for (int l = 0; l < L; l++) {
                ln1[l] = new Buf(btc); ln1Mean[l] = new Buf(bt); ln1Rstd[l] = new Buf(bt);
                qkv[l] = new Buf(3 * btc); att[l] = new Buf(bhtt); attMask[l] = d ? new Buf(bhtt) : null;
                atty[l] = new Buf(btc); res2[l] = new Buf(btc); drop2[l] = d ? new Buf(btc) : null;
                ln2[l] = new Buf(btc); ln2Mean[l] = new Buf(bt); ln2Rstd[l] = new Buf(bt);
                fch[l] = new Buf(4 * btc); fchg[l] = new Buf(4 * btc); fchTanh[l] = new Buf(4 * btc);
                res3[l] = new Buf(btc);
                drop3[l] = d ? new Buf(btc) : null;
            }
            lnf = new Buf(btc); lnfMean = new Buf(bt); lnfRstd = new Buf(bt);
            logits = new Buf(bt * V);
            sBTC = new Buf(btc); dres = new Buf(btc); dBTC = new Buf(btc); dqkv = new Buf(3 * btc);
            dfch = new Buf(4 * btc); pScr = new Buf(maxT * maxT); dpScr = new Buf(maxT * maxT);
        }

        void close() {
            for (java.lang.reflect.Field fld : Acts.class.getDeclaredFields()) {
                try {
                    Object o = fld.get(this);
                    if (o instanceof Buf b) {
                        b.close();
                    } else if (o instanceof Buf[] bs) {
                        for (Buf b : bs) {
                            if (b != null) {
                                b.close();
                            }
                        }
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private Acts acts(int B) {
        if (acts == null || acts.bCap < B) {
            if (acts != null) {
                acts.close();
            }
            acts = new Acts(B);
        }
        return acts;
    }

    // ------------------------------------------------------------------ forward

    private void forward(int[][] x, int row0, int B, int T, boolean train) {
        Acts a = acts(B);
        FloatBuffer p = params.f;
        boolean drop = train && pDrop > 0;
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
                int o = (b * T + t) * C, wo = wte + tok * C, po = wpe + t * C;
                for (int c = 0; c < C; c++) {
                    enc.put(o + c, p.get(wo + c) + p.get(po + c));
                }
            }
        }
        if (drop) {
            dropout(a.enc, a.encMask, BT * C);
        }
        Buf res = a.enc;
        for (int l = 0; l < L; l++) {
            layerNorm(a.ln1[l], a.ln1Mean[l], a.ln1Rstd[l], res, ln1w[l], ln1b[l], BT);
            linear(a.qkv[l], a.ln1[l], qkvw[l], qkvb[l], BT, C, 3 * C);
            attentionForward(a, l, B, T, drop);
            linear(a.sBTC, a.atty[l], attw[l], attb[l], BT, C, C);
            residual(a.res2[l], res, a.sBTC, drop ? a.drop2[l] : null, BT * C);
            layerNorm(a.ln2[l], a.ln2Mean[l], a.ln2Rstd[l], a.res2[l], ln2w[l], ln2b[l], BT);
            linear(a.fch[l], a.ln2[l], fcw[l], fcb[l], BT, C, 4 * C);
            geluKeep(a.fchg[l], a.fchTanh[l], a.fch[l], BT * 4 * C, cfg.exactGelu());
            linear(a.sBTC, a.fchg[l], fc2w[l], fc2b[l], BT, 4 * C, C);
            residual(a.res3[l], a.res2[l], a.sBTC, drop ? a.drop3[l] : null, BT * C);
            res = a.res3[l];
        }
        layerNorm(a.lnf, a.lnfMean, a.lnfRstd, res, lnfw, lnfb, BT);
        linear(a.logits, a.lnf, lmw, -1, BT, C, V);
    }

    /** In place: x *= mask, mask = 0 or 1/(1-p) drawn from the model RNG. */
    private void dropout(Buf xb, Buf maskb, int n) {
        FloatBuffer x = xb.f, mask = maskb.f;
        float keep = 1f / (1f - pDrop);
        for (int i = 0; i < n; i++) {
            float mk = rng.nextDouble() < pDrop ? 0f : keep;
            mask.put(i, mk);
            x.put(i, x.get(i) * mk);
        }
    }

    /** out = a + drop(b) (b's mask drawn now when {@code maskb} is given). */
    private void residual(Buf outb, Buf ab, Buf bb, Buf maskb, int n) {
        FloatBuffer out = outb.f, av = ab.f, bv = bb.f;
        if (maskb == null) {
            for (int i = 0; i < n; i++) {
                out.put(i, av.get(i) + bv.get(i));
            }
        } else {
            FloatBuffer mask = maskb.f;
            float keep = 1f / (1f - pDrop);
            for (int i = 0; i < n; i++) {
                float mk = rng.nextDouble() < pDrop ? 0f : keep;
                mask.put(i, mk);
                out.put(i, av.get(i) + bv.get(i) * mk);
            }
        }
    }

    void layerNorm(Buf outb, Buf meanb, Buf rstdb, Buf inb, int w, int bias, int BT) {
        FloatBuffer out = outb.f, in = inb.f, p = params.f, mean = meanb.f, rstd = rstdb.f;
        for (int i = 0; i < BT; i++) {
            int o = i * C;
            float s = 0;
            for (int c = 0; c < C; c++) {
                s += in.get(o + c);
            }
            float mu = s / C;
            float var = 0;
            for (int c = 0; c < C; c++) {
                float d = in.get(o + c) - mu;
                var += d * d;
            }
            float rs = (float) (1.0 / Math.sqrt(var / C + LN_EPS));
            for (int c = 0; c < C; c++) {
                float nv = (in.get(o + c) - mu) * rs * p.get(w + c);
                if (bias >= 0) {
                    nv += p.get(bias + c);
                }
                out.put(o + c, nv);
            }
            mean.put(i, mu);
            rstd.put(i, rs);
        }
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

    /**
     * GELU that also keeps what its backward needs: tanh(u) for the tanh form (so the backward needs no exp: a quarter
     * of a step), Phi(x) for the exact form.
     */
    private static void geluKeep(Buf outb, Buf keepb, Buf inb, int n, boolean exact) {
        FloatBuffer out = outb.f, in = inb.f, keep = keepb.f;
        for (int i = 0; i < n; i++) {
            float x = in.get(i);
            float k = exact ? normalCdf(x) : tanh(GELU_K * (x + 0.044715f * x * x * x));
            keep.put(i, k);
            out.put(i, exact ? x * k : 0.5f * x * (1f + k));
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

    private void attentionForward(Acts a, int l, int B, int T, boolean drop) {
        Buf qkv = a.qkv[l], att = a.att[l], y = a.atty[l];
        FloatBuffer attf = att.f;
        float scale = (float) (1.0 / Math.sqrt(hs));
        int C3 = 3 * C;
        float keep = 1f / (1f - pDrop);
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < H; h++) {
                int q = b * T * C3 + h * hs;
                int ao = (b * H + h) * T * T;
                Blas.gemm(false, true, T, T, hs, scale, qkv.at(q), C3, qkv.at(q + C), C3, 0f, att.at(ao), T);
                for (int t = 0; t < T; t++) {
                    int r = ao + t * T;
                    float mx = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        mx = Math.max(mx, attf.get(r + j));
                    }
                    float s = 0;
                    for (int j = 0; j <= t; j++) {
                        float e = (float) Math.exp(attf.get(r + j) - mx);
                        attf.put(r + j, e);
                        s += e;
                    }
                    float inv = 1f / s;
                    for (int j = 0; j <= t; j++) {
                        attf.put(r + j, attf.get(r + j) * inv);
                    }
                    for (int j = t + 1; j < T; j++) {
                        attf.put(r + j, 0f);
                    }
                }
                Buf pUse = att;
                int pOff = ao;
                if (drop) {
                    FloatBuffer mk = a.attMask[l].f, ps = a.pScr.f;
                    for (int i = 0; i < T * T; i++) {
                        float mv = rng.nextDouble() < pDrop ? 0f : keep;
                        mk.put(ao + i, mv);
                        ps.put(i, attf.get(ao + i) * mv);
                    }
                    pUse = a.pScr;
                    pOff = 0;
                }
                Blas.gemm(false, false, T, hs, T, 1f, pUse.at(pOff), T, qkv.at(q + 2 * C), C3, 0f,
                        y.at(b * T * C + h * hs), C);
            }
        }
    }

    // ------------------------------------------------------------------ backward

    private void backward(int[][] x, int row0, int B, int T) {
        Acts a = acts;
        int BT = B * T;
        boolean drop = pDrop > 0;
        // LM head; a.dBTC already holds what the loss added to dLoss/dhidden (zero for a plain LM loss)
        linearBackward(a.dBTC, true, a.logits, a.lnf, lmw, -1, BT, C, V);
        a.dres.zero();
        Buf lastRes = L > 0 ? a.res3[L - 1] : a.enc;
        layerNormBackward(a.dres, a.dBTC, lastRes, a.lnfMean, a.lnfRstd, lnfw, lnfb, BT);
        for (int l = L - 1; l >= 0; l--) {
            Buf resIn = l == 0 ? a.enc : a.res3[l - 1];
            // MLP branch: res3 = res2 + drop(fc2(gelu(fc(ln2(res2)))))
            Buf dBranch = maskedCopy(a.sBTC, a.dres, drop ? a.drop3[l] : null, BT * C);
            linearBackward(a.dfch, dBranch, a.fchg[l], fc2w[l], fc2b[l], BT, 4 * C, C);
            geluBackward(a.dfch, a.fch[l], a.fchTanh[l], BT * 4 * C, cfg.exactGelu());
            linearBackward(a.dBTC, a.dfch, a.ln2[l], fcw[l], fcb[l], BT, C, 4 * C);
            layerNormBackward(a.dres, a.dBTC, a.res2[l], a.ln2Mean[l], a.ln2Rstd[l], ln2w[l], ln2b[l], BT);
            // attention branch: res2 = resIn + drop(proj(attn(ln1(resIn))))
            dBranch = maskedCopy(a.sBTC, a.dres, drop ? a.drop2[l] : null, BT * C);
            linearBackward(a.dBTC, dBranch, a.atty[l], attw[l], attb[l], BT, C, C);
            attentionBackward(a, l, B, T, drop);
            linearBackward(a.dBTC, a.dqkv, a.ln1[l], qkvw[l], qkvb[l], BT, C, 3 * C);
            layerNormBackward(a.dres, a.dBTC, resIn, a.ln1Mean[l], a.ln1Rstd[l], ln1w[l], ln1b[l], BT);
        }
        // embeddings
        FloatBuffer d = a.dres.f, g = grads.f;
        if (drop) {
            FloatBuffer mk = a.encMask.f;
            for (int i = 0; i < BT * C; i++) {
                d.put(i, d.get(i) * mk.get(i));
            }
        }
        for (int b = 0; b < B; b++) {
            int[] row = x[row0 + b];
            for (int t = 0; t < T; t++) {
                int o = (b * T + t) * C, wo = wte + row[t] * C, po = wpe + t * C;
                for (int c = 0; c < C; c++) {
                    float dv = d.get(o + c);
                    g.put(wo + c, g.get(wo + c) + dv);
                    g.put(po + c, g.get(po + c) + dv);
                }
            }
        }
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

    /** dIn = dOut W (overwritten); dW += dOut^T in; db += column sums of dOut. */
    private void linearBackward(Buf dIn, Buf dOut, Buf in, int w, int b, int BT, int ic, int oc) {
        linearBackward(dIn, false, dOut, in, w, b, BT, ic, oc);
    }

    /** As above, with {@code addToDIn}: dIn += dOut W. */
    private void linearBackward(Buf dIn, boolean addToDIn, Buf dOut, Buf in, int w, int b, int BT, int ic, int oc) {
        Blas.gemm(false, false, BT, ic, oc, 1f, dOut.ptr, oc, params.at(w), ic, addToDIn ? 1f : 0f, dIn.ptr, ic);
        Blas.gemm(true, false, oc, ic, BT, 1f, dOut.ptr, oc, in.ptr, ic, 1f, grads.at(w), ic);
        if (b >= 0) {
            FloatBuffer d = dOut.f, g = grads.f;
            for (int i = 0; i < BT; i++) {
                int r = i * oc;
                for (int j = 0; j < oc; j++) {
                    g.put(b + j, g.get(b + j) + d.get(r + j));
                }
            }
        }
    }

    /** In place: d *= gelu'(x), with tanh(u) (tanh form) or Phi(x) (exact form) kept by the forward pass. */
    private static void geluBackward(Buf db, Buf xb, Buf keepb, int n, boolean exact) {
        FloatBuffer d = db.f, xs = xb.f, keep = keepb.f;
        for (int i = 0; i < n; i++) {
            float x = xs.get(i);
            float k = keep.get(i);
            float grad;
            if (exact) {
                // d/dx x Phi(x) = Phi(x) + x phi(x)
                grad = k + x * INV_SQRT_2PI * (float) Math.exp(-0.5 * x * x);
            } else {
                float sech2 = 1f - k * k;
                grad = 0.5f * (1f + k) + x * 0.5f * sech2 * GELU_K * (1f + 3f * 0.044715f * x * x);
            }
            d.put(i, d.get(i) * grad);
        }
    }

    /** dIn += LN backward of dOut; gains and biases accumulate into the gradient buffer. */
    private void layerNormBackward(Buf dInb, Buf dOutb, Buf inb, Buf meanb, Buf rstdb, int w, int bias, int BT) {
        FloatBuffer dIn = dInb.f, dOut = dOutb.f, in = inb.f, mean = meanb.f, rstd = rstdb.f, p = params.f,
                g = grads.f;
        for (int i = 0; i < BT; i++) {
            int o = i * C;
            float mu = mean.get(i), rs = rstd.get(i);
            float dnMean = 0, dnNormMean = 0;
            for (int c = 0; c < C; c++) {
                float norm = (in.get(o + c) - mu) * rs;
                float dn = p.get(w + c) * dOut.get(o + c);
                dnMean += dn;
                dnNormMean += dn * norm;
            }
            dnMean /= C;
            dnNormMean /= C;
            for (int c = 0; c < C; c++) {
                float norm = (in.get(o + c) - mu) * rs;
                float dov = dOut.get(o + c);
                float dn = p.get(w + c) * dov;
                if (bias >= 0) {
                    g.put(bias + c, g.get(bias + c) + dov);
                }
                g.put(w + c, g.get(w + c) + norm * dov);
                dIn.put(o + c, dIn.get(o + c) + (dn - dnMean - norm * dnNormMean) * rs);
            }
        }
    }

    /** From dL/d(atty) in a.dBTC to dL/d(qkv) in a.dqkv. */
    private void attentionBackward(Acts a, int l, int B, int T, boolean drop) {
        Buf qkv = a.qkv[l], att = a.att[l], dy = a.dBTC, dqkv = a.dqkv;
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
                    FloatBuffer mk = a.attMask[l].f, ps = a.pScr.f;
                    for (int i = 0; i < T * T; i++) {
                        ps.put(i, attf.get(ao + i) * mk.get(ao + i));
                    }
                    pUse = a.pScr;
                    pOff = 0;
                }
                // dP' = dY V^T ; dV = P'^T dY
                Blas.gemm(false, true, T, T, hs, 1f, dy.at(yo), C, qkv.at(q + 2 * C), C3, 0f, a.dpScr.ptr, T);
                Blas.gemm(true, false, T, hs, T, 1f, pUse.at(pOff), T, dy.at(yo), C, 0f, dqkv.at(q + 2 * C), C3);
                // softmax backward (through the dropout mask), scaled; result in dpScr
                for (int t = 0; t < T; t++) {
                    int r = ao + t * T, rr = t * T;
                    float dot = 0;
                    if (drop) {
                        FloatBuffer mk = a.attMask[l].f;
                        for (int j = 0; j <= t; j++) {
                            dp.put(rr + j, dp.get(rr + j) * mk.get(r + j));
                        }
                    }
                    for (int j = 0; j <= t; j++) {
                        dot += attf.get(r + j) * dp.get(rr + j);
                    }
                    for (int j = 0; j <= t; j++) {
                        dp.put(rr + j, attf.get(r + j) * (dp.get(rr + j) - dot) * scale);
                    }
                    for (int j = t + 1; j < T; j++) {
                        dp.put(rr + j, 0f);
                    }
                }
                // dQ = dS K ; dK = dS^T Q
                Blas.gemm(false, false, T, hs, T, 1f, a.dpScr.ptr, T, qkv.at(q + C), C3, 0f, dqkv.at(q), C3);
                Blas.gemm(true, false, T, hs, T, 1f, a.dpScr.ptr, T, qkv.at(q), C3, 0f, dqkv.at(q + C), C3);
            }
        }
    }

    // ------------------------------------------------------------------ optimizer

    /**
     * One optimizer step from the gradient of the last {@link #gradient} call: clip to the global L2 norm
     * {@code tc.gradClip()} (0 = no clipping), then AdamW with learning rate {@code lr}, betas, eps and decoupled
     * weight decay from {@code tc}; the optimizer step count goes up by one.
     *
     * @throws IllegalStateException if the gradient norm is not finite (diverged)
     */
    public void update(double lr, TrainConfig tc) {
        FloatBuffer g = grads.f, p = params.f, mf = m.f, vf = v.f;
        double ss = 0;
        for (int i = 0; i < nParams; i++) {
            float gi = g.get(i);
            ss += (double) gi * gi;
        }
        double norm = Math.sqrt(ss);
        lastGradNorm = norm;
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("gradient norm is " + norm + " (diverged): lower the learning rate");
        }
        float clip = (tc.gradClip() > 0 && norm > tc.gradClip()) ? (float) (tc.gradClip() / norm) : 1f;
        adamT++;
        float b1 = (float) tc.beta1(), b2 = (float) tc.beta2();
        double bc1 = 1 - Math.pow(tc.beta1(), adamT);
        double bc2 = 1 - Math.pow(tc.beta2(), adamT);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float eps = (float) tc.eps();
        float decay = (float) (1 - lr * tc.weightDecay());
        for (int[] tsr : tensors) {
            int off = tsr[0], end = off + tsr[1];
            boolean dec = tc.weightDecay() > 0
                    && (tsr[2] == 1 || (tc.decayEmbeddings() && (off == wte || off == wpe)));
            for (int i = off; i < end; i++) {
                float gi = g.get(i) * clip;
                float mi = b1 * mf.get(i) + (1 - b1) * gi;
                float vi = b2 * vf.get(i) + (1 - b2) * gi * gi;
                mf.put(i, mi);
                vf.put(i, vi);
                float pi = p.get(i);
                if (dec) {
                    pi *= decay;
                }
                pi -= stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps);
                p.put(i, pi);
            }
        }
    }

    // ------------------------------------------------------------------ package-private access for tests/KvCache

    /** Gradient of the last trainStep / {@link #gradient} call (a copy). */
    float[] gradientCopy() {
        float[] out = new float[nParams];
        grads.copyTo(out);
        return out;
    }

    Buf paramBuf() {
        return params;
    }

    int off(String what, int layer) {
        return switch (what) {
            case "wte" -> wte;
            case "wpe" -> wpe;
            case "ln1w" -> ln1w[layer];
            case "qkvw" -> qkvw[layer];
            case "attw" -> attw[layer];
            case "ln2w" -> ln2w[layer];
            case "fcw" -> fcw[layer];
            case "fc2w" -> fc2w[layer];
            case "lnfw" -> lnfw;
            case "lnfb" -> lnfb;
            case "lmw" -> lmw;
            case "qkvb" -> qkvb[layer];
            case "fc2b" -> fc2b[layer];
            case "ln1b" -> ln1b[layer];
            case "attb" -> attb[layer];
            case "ln2b" -> ln2b[layer];
            case "fcb" -> fcb[layer];
            default -> throw new IllegalArgumentException(what);
        };
    }
}
