package io.sparkgpt.model.infer;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A forward-only GPT for serving: the same network as {@link GPT} (and the same logits, to float rounding), built
 * once from its weights, with batched KV-cache decoding of independent sequences.
 *
 * <ul>
 *   <li>{@link #newSession()}: a sequence with its own KV cache and position;</li>
 *   <li>{@link #prefill(Session, int[])}: feeds a prompt (or a continuation) in one pass, every position in one
 *       matrix product per layer; returns the next-token logits;</li>
 *   <li>{@link #step(List, int[])}: one token for each of several sessions at once (each at its own position): every
 *       linear layer runs as ONE product over all of them, attention reads each session's own cache. This is what a
 *       server's batching loop calls (continuous batching: sessions join and leave between steps).</li>
 * </ul>
 *
 * <p>Weights are float32 (OpenBLAS) or int8 (Q8_0 blocks, computed from the int8 values): {@link Precision}, per
 * {@link Linear}. The shape may be structurally pruned ({@link ModelShape}: heads and MLP width per layer).
 *
 * <p>One step at a time: the compute methods are synchronized (the layers hold scratch memory); sessions must not be
 * shared between threads while a step runs. {@link #close()} frees the off-heap weights.
 *
 * <pre>{@code
 * try (InferenceModel m = InferenceModel.load("run/model/model.ckpt", Precision.FLOAT32)) {
 *     Session a = m.newSession(), b = m.newSession();
 *     float[] la = m.prefill(a, promptA), lb = m.prefill(b, promptB);
 *     float[][] next = m.step(List.of(a, b), new int[] {pick(la), pick(lb)});
 * }
 * }</pre>
 */
public final class InferenceModel implements AutoCloseable {
    private static final float LN_EPS = 1e-5f;
    private static final float GELU_K = (float) Math.sqrt(2.0 / Math.PI);

    private final ModelShape shape;
    private final Precision precision;
    private final int C, V, maxT, hs, L;
    private final Linear wte, lmHead;
    private final float[] wpe, lnfW, lnfB;
    private final Block[] blocks;
    private boolean closed;

    private record Block(int heads, int A, int F, float[] ln1w, float[] ln1b, Linear qkv, Linear proj, float[] ln2w,
                         float[] ln2b, Linear fc, Linear fc2) {}

    InferenceModel(ModelShape shape, Precision precision, Linear wte, Linear lmHead, float[] wpe, float[] lnfW,
                   float[] lnfB, Linear[][] layers, float[][][] norms) {
        this.shape = shape;
        this.precision = precision;
        this.C = shape.nEmbd();
        this.V = shape.vocabSize();
        this.maxT = shape.blockSize();
        this.hs = shape.headSize();
        this.L = shape.nLayer();
        this.wte = wte;
        this.lmHead = lmHead;
        this.wpe = wpe;
        this.lnfW = lnfW;
        this.lnfB = lnfB;
        this.blocks = new Block[L];
        for (int l = 0; l < L; l++) {
            float[][] n = norms[l];
            blocks[l] = new Block(shape.heads(l), shape.attnWidth(l), shape.mlpWidth(l), n[0], n[1], layers[l][0],
                    layers[l][1], n[2], n[3], layers[l][2], layers[l][3]);
        }
    }

    /** A model of these weights with its matrices (and token table) in {@code precision}. */
    public static InferenceModel of(ModelWeights w, Precision precision) {
        ModelShape s = w.shape();
        int C = s.nEmbd();
        boolean b = s.bias();
        Linear wte = Linear.of(w.get("wte"), null, s.vocabSize(), C, precision);
        Linear lm = s.tiedEmbeddings() ? wte : Linear.of(w.get("lm_head.w"), null, s.vocabSize(), C, precision);
        Linear[][] layers = new Linear[s.nLayer()][];
        float[][][] norms = new float[s.nLayer()][][];
        for (int l = 0; l < s.nLayer(); l++) {
            String p = "h." + l + ".";
            int A = s.attnWidth(l), F = s.mlpWidth(l);
            layers[l] = new Linear[] {
                Linear.of(w.get(p + "attn.qkv.w"), b ? w.get(p + "attn.qkv.b") : null, 3 * A, C, precision),
                Linear.of(w.get(p + "attn.proj.w"), b ? w.get(p + "attn.proj.b") : null, C, A, precision),
                Linear.of(w.get(p + "mlp.fc.w"), b ? w.get(p + "mlp.fc.b") : null, F, C, precision),
                Linear.of(w.get(p + "mlp.proj.w"), b ? w.get(p + "mlp.proj.b") : null, C, F, precision)};
            norms[l] = new float[][] {w.get(p + "ln1.w").clone(), b ? w.get(p + "ln1.b").clone() : null,
                w.get(p + "ln2.w").clone(), b ? w.get(p + "ln2.b").clone() : null};
        }
        return new InferenceModel(s, precision, wte, lm, w.get("wpe").clone(), w.get("ln_f.w").clone(),
                b ? w.get("ln_f.b").clone() : null, layers, norms);
    }

    /** A model of {@code gpt}'s current parameters (a copy: training {@code gpt} afterwards changes nothing here). */
    public static InferenceModel of(GPT gpt, Precision precision) {
        return of(ModelWeights.of(gpt), precision);
    }

    /**
     * Loads a training checkpoint ({@link Checkpoint}, quantized here to {@code precision}) or a compressed model
     * file ({@link ModelFile}: int8 and/or structurally pruned, kept in its stored precision when {@code precision}
     * is null, else converted), local path or {@code s3a://}. Errors name the file.
     */
    public static InferenceModel load(String path, Precision precision) {
        byte[] bytes;
        try {
            bytes = Storage.local().readAll(path);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read model " + path + ": " + e.getMessage(), e);
        }
        if (ModelFile.isModelFile(bytes)) {
            return ModelFile.fromBytes(bytes, path).toModel(precision);
        }
        Checkpoint c = Checkpoint.fromBytes(bytes, path);
        return of(ModelWeights.of(c), precision == null ? Precision.FLOAT32 : precision);
    }

    public ModelShape shape() {
        return shape;
    }

    public Precision precision() {
        return precision;
    }

    /** Bytes the weights take in memory (matrices with their scales, embeddings, LayerNorms, biases). */
    public long weightBytes() {
        long n = wte.bytes() + 4L * wpe.length + 4L * lnfW.length + (lnfB == null ? 0 : 4L * lnfB.length);
        if (lmHead != wte) {
            n += lmHead.bytes();
        }
        for (Block bk : blocks) {
            n += bk.qkv.bytes() + bk.proj.bytes() + bk.fc.bytes() + bk.fc2.bytes() + 4L * bk.ln1w.length
                    + 4L * bk.ln2w.length + (bk.ln1b == null ? 0 : 8L * bk.ln1b.length);
        }
        return n;
    }

    /** A new empty sequence. */
    public Session newSession() {
        requireOpen();
        return new Session(this);
    }

    /**
     * Feeds {@code tokens} after what {@code s} holds (a prompt, or more of it), all positions in one pass; returns
     * the logits of the next token ({@code vocabSize} floats).
     *
     * @throws IllegalStateException    if the tokens do not fit in the session ({@link Session#remaining()})
     * @throws IllegalArgumentException on an empty array or a token id outside the vocabulary
     */
    public synchronized float[] prefill(Session s, int[] tokens) {
        return prefill(s, tokens, false)[0];
    }

    /** Logits at every position of {@code tokens} fed into a fresh session: {@code [T][vocabSize]} (tests, eval). */
    public synchronized float[][] logitsAll(int[] tokens) {
        return prefill(newSession(), tokens, true);
    }

    private float[][] prefill(Session s, int[] tokens, boolean all) {
        requireOpen();
        requireMine(s);
        int P = tokens.length;
        if (P == 0) {
            throw new IllegalArgumentException("prefill of an empty token array");
        }
        if (P > s.remaining()) {
            throw new IllegalStateException("prompt of " + P + " tokens does not fit: the session holds " + s.pos
                    + " of ModelShape.blockSize=" + maxT + " positions");
        }
        Session[] rs = new Session[P];
        int[] pos = new int[P];
        boolean[] want = new boolean[P];
        for (int r = 0; r < P; r++) {
            rs[r] = s;
            pos[r] = s.pos + r;
            want[r] = all || r == P - 1;
        }
        float[][] out = run(rs, pos, tokens, want);
        s.pos += P;
        return out;
    }

    /**
     * One decoding step for several sessions at once: appends {@code tokens[i]} to {@code sessions.get(i)} and
     * returns each one's next-token logits ({@code [sessions][vocabSize]}). Each linear layer is one product over
     * all rows. The sessions must be distinct, belong to this model, and have room for one more position.
     */
    public synchronized float[][] step(List<Session> sessions, int[] tokens) {
        requireOpen();
        int B = sessions.size();
        if (B != tokens.length) {
            throw new IllegalArgumentException(B + " sessions but " + tokens.length + " tokens");
        }
        if (B == 0) {
            return new float[0][];
        }
        Set<Session> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Session[] rs = new Session[B];
        int[] pos = new int[B];
        boolean[] want = new boolean[B];
        for (int i = 0; i < B; i++) {
            Session s = sessions.get(i);
            requireMine(s);
            if (!seen.add(s)) {
                throw new IllegalArgumentException("session " + i + " appears twice in one step");
            }
            if (s.full()) {
                throw new IllegalStateException("session " + i + " is full: ModelShape.blockSize=" + maxT
                        + " positions used");
            }
            rs[i] = s;
            pos[i] = s.pos;
            want[i] = true;
        }
        float[][] out = run(rs, pos, tokens, want);
        for (Session s : rs) {
            s.pos++;
        }
        return out;
    }

    /** Forward pass of rows (session, position, token); logits of the wanted rows, in row order. */
    private float[][] run(Session[] rs, int[] pos, int[] tok, boolean[] want) {
        int rows = tok.length;
        for (int r = 0; r < rows; r++) {
            if (tok[r] < 0 || tok[r] >= V) {
                throw new IllegalArgumentException("token id " + tok[r] + " at row " + r
                        + " is outside ModelShape.vocabSize=" + V);
            }
            rs[r].ensure(pos[r] + 1);
        }
        float[] x = new float[rows * C], xn = new float[rows * C], tmp = new float[rows * C];
        for (int r = 0; r < rows; r++) {
            wte.row(tok[r], x, r * C);
            int po = pos[r] * C, xo = r * C;
            for (int c = 0; c < C; c++) {
                x[xo + c] += wpe[po + c];
            }
        }
        float[] scores = new float[maxT];
        for (int l = 0; l < L; l++) {
            Block bk = blocks[l];
            int A = bk.A, A3 = 3 * A;
            layerNorm(x, xn, rows, bk.ln1w, bk.ln1b);
            float[] qkv = new float[rows * A3];
            bk.qkv.forward(xn, rows, qkv);
            for (int r = 0; r < rows; r++) {
                Session s = rs[r];
                float[] kT = s.kT[l], vv = s.v[l];
                int cap = s.cap, p = pos[r], o = r * A3;
                for (int c = 0; c < A; c++) {
                    kT[c * cap + p] = qkv[o + A + c];
                }
                System.arraycopy(qkv, o + 2 * A, vv, p * A, A);
            }
            float[] y = new float[rows * A];
            for (int r = 0; r < rows; r++) {
                attend(rs[r], l, bk.heads, A, pos[r], qkv, r * A3, y, r * A, scores);
            }
            bk.proj.forward(y, rows, tmp);
            addInto(x, tmp, rows * C);
            layerNorm(x, xn, rows, bk.ln2w, bk.ln2b);
            float[] h = new float[rows * bk.F];
            bk.fc.forward(xn, rows, h);
            gelu(h, shape.exactGelu());
            bk.fc2.forward(h, rows, tmp);
            addInto(x, tmp, rows * C);
        }
        int n = 0;
        for (boolean w : want) {
            n += w ? 1 : 0;
        }
        float[] xs = new float[n * C];
        for (int r = 0, k = 0; r < rows; r++) {
            if (want[r]) {
                System.arraycopy(x, r * C, xs, k++ * C, C);
            }
        }
        float[] xsn = new float[n * C];
        layerNorm(xs, xsn, n, lnfW, lnfB);
        float[] logits = new float[n * V];
        lmHead.forward(xsn, n, logits);
        float[][] out = new float[n][];
        for (int k = 0; k < n; k++) {
            out[k] = Arrays.copyOfRange(logits, k * V, (k + 1) * V);
        }
        return out;
    }

    /**
     * Causal attention of the query at position p (row of qkv at qo) over positions 0..p of the session's cache of
     * layer l, all heads, into y[yo..yo+A). Scores accumulate feature by feature (axpy loops the JIT vectorises).
     */
    private void attend(Session s, int l, int heads, int A, int p, float[] qkv, int qo, float[] y, int yo,
                        float[] sc) {
        float[] kT = s.kT[l], vv = s.v[l];
        int cap = s.cap;
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int h = 0; h < heads; h++) {
            int ho = h * hs;
            Arrays.fill(sc, 0, p + 1, 0f);
            for (int i = 0; i < hs; i++) {
                float qi = qkv[qo + ho + i] * scale;
                int base = (ho + i) * cap;
                for (int t = 0; t <= p; t++) {
                    sc[t] += qi * kT[base + t];
                }
            }
            float mx = Float.NEGATIVE_INFINITY;
            for (int t = 0; t <= p; t++) {
                mx = Math.max(mx, sc[t]);
            }
            float sum = 0;
            for (int t = 0; t <= p; t++) {
                float e = (float) Math.exp(sc[t] - mx);
                sc[t] = e;
                sum += e;
            }
            float inv = 1f / sum;
            int out = yo + ho;
            for (int t = 0; t <= p; t++) {
                float w = sc[t] * inv;
                int vo = t * A + ho;
                for (int i = 0; i < hs; i++) {
                    y[out + i] += w * vv[vo + i];
                }
            }
        }
    }

    private void layerNorm(float[] in, float[] out, int rows, float[] w, float[] b) {
        for (int r = 0; r < rows; r++) {
            int o = r * C;
            float s = 0;
            for (int c = 0; c < C; c++) {
                s += in[o + c];
            }
            float mu = s / C;
            float var = 0;
            for (int c = 0; c < C; c++) {
                float d = in[o + c] - mu;
                var += d * d;
            }
            float rs = (float) (1.0 / Math.sqrt(var / C + LN_EPS));
            for (int c = 0; c < C; c++) {
                out[o + c] = (in[o + c] - mu) * rs * w[c] + (b == null ? 0f : b[c]);
            }
        }
    }

    /** GELU in place, the same formulas as the training engine ({@link GPT#tanh}, {@link GPT#normalCdf}). */
    private static void gelu(float[] h, boolean exact) {
        for (int i = 0; i < h.length; i++) {
            float x = h[i];
            h[i] = exact ? x * GPT.normalCdf(x) : 0.5f * x * (1f + GPT.tanh(GELU_K * (x + 0.044715f * x * x * x)));
        }
    }

    private static void addInto(float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            a[i] += b[i];
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("inference model is closed");
        }
    }

    private void requireMine(Session s) {
        if (s == null || s.model != this) {
            throw new IllegalArgumentException("session belongs to another model");
        }
    }

    /** Frees the weights' off-heap memory; the model and its sessions are unusable afterwards. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        wte.close();
        lmHead.close();
        for (Block bk : blocks) {
            bk.qkv.close();
            bk.proj.close();
            bk.fc.close();
            bk.fc2.close();
        }
    }

    // package access for ModelFile and pruning
    Linear tokenTable() {
        return wte;
    }

    Linear lmHead() {
        return lmHead;
    }

    Linear layer(int l, int which) {
        Block bk = blocks[l];
        return switch (which) {
            case 0 -> bk.qkv;
            case 1 -> bk.proj;
            case 2 -> bk.fc;
            case 3 -> bk.fc2;
            default -> throw new IllegalArgumentException("layer index " + which);
        };
    }
}
