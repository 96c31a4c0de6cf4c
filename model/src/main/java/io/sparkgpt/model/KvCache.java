package io.sparkgpt.model;

import java.nio.FloatBuffer;

/**
 * Incremental decoding with cached keys and values (nanochat's engine): feeding token t costs one position's work
 * instead of a forward pass over the whole context. Exact: the logits equal {@link GPT#allLogits}'s at the same
 * position (up to float rounding order). Holds up to blockSize positions; past that the positions would shift, so
 * {@link Sampler} falls back to a full forward pass over the cropped context, as nanoGPT does. Uses the model's
 * parameters live (do not train while decoding).
 */
public final class KvCache implements AutoCloseable {
    private final GPT g;
    private final GPTConfig cfg;
    private final int C, H, hs, V, L, maxT;
    private final Buf[] k, vv;
    private final Buf x, ln, mean, rstd, qkv, y, tmp, h, hg, logits;
    private final float[] att;
    private int pos;

    KvCache(GPT g) {
        this.g = g;
        this.cfg = g.config();
        C = cfg.nEmbd();
        H = cfg.nHead();
        hs = cfg.headSize();
        V = cfg.vocabSize();
        L = cfg.nLayer();
        maxT = cfg.blockSize();
        k = new Buf[L];
        vv = new Buf[L];
        for (int l = 0; l < L; l++) {
            k[l] = new Buf(maxT * C);
            vv[l] = new Buf(maxT * C);
        }
        x = new Buf(C); ln = new Buf(C); mean = new Buf(1); rstd = new Buf(1); qkv = new Buf(3 * C); y = new Buf(C);
        tmp = new Buf(C); h = new Buf(4 * C); hg = new Buf(4 * C); logits = new Buf(V);
        att = new float[maxT];
    }

    /** Positions filled so far. */
    public int length() {
        return pos;
    }

    public boolean full() {
        return pos >= maxT;
    }

    public void reset() {
        pos = 0;
    }

    /** Appends {@code token} at the next position and returns the next-token logits. */
    public float[] next(int token) {
        if (pos >= maxT) {
            throw new IllegalStateException("KV cache is full: GPTConfig.blockSize=" + maxT + " positions used");
        }
        if (token < 0 || token >= V) {
            throw new IllegalArgumentException("token id " + token + " is outside GPTConfig.vocabSize=" + V);
        }
        FloatBuffer p = g.paramBuf().f, xf = x.f;
        ParamLayout lay = g.layout();
        int wte = lay.wte(), wpe = lay.wpe();
        for (int c = 0; c < C; c++) {
            xf.put(c, p.get(wte + token * C + c) + p.get(wpe + pos * C + c));
        }
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int l = 0; l < L; l++) {
            ParamLayout.Block blk = lay.blocks().get(l);
            g.layerNorm(ln, mean, rstd, x, blk.ln1W(), blk.ln1B(), 1);
            g.linear(qkv, ln, blk.qkvW(), blk.qkvB(), 1, C, 3 * C);
            FloatBuffer qf = qkv.f, kf = k[l].f, vf = vv[l].f, yf = y.f;
            for (int c = 0; c < C; c++) {
                kf.put(pos * C + c, qf.get(C + c));
                vf.put(pos * C + c, qf.get(2 * C + c));
            }
            for (int hh = 0; hh < H; hh++) {
                int ho = hh * hs;
                float mx = Float.NEGATIVE_INFINITY;
                for (int j = 0; j <= pos; j++) {
                    float s = 0;
                    for (int i = 0; i < hs; i++) {
                        s += qf.get(ho + i) * kf.get(j * C + ho + i);
                    }
                    s *= scale;
                    att[j] = s;
                    mx = Math.max(mx, s);
                }
                float sum = 0;
                for (int j = 0; j <= pos; j++) {
                    att[j] = (float) Math.exp(att[j] - mx);
                    sum += att[j];
                }
                for (int i = 0; i < hs; i++) {
                    yf.put(ho + i, 0f);
                }
                for (int j = 0; j <= pos; j++) {
                    float w = att[j] / sum;
                    for (int i = 0; i < hs; i++) {
                        yf.put(ho + i, yf.get(ho + i) + w * vf.get(j * C + ho + i));
                    }
                }
            }
            g.linear(tmp, y, blk.projW(), blk.projB(), 1, C, C);
            add(xf, tmp.f);
            g.layerNorm(ln, mean, rstd, x, blk.ln2W(), blk.ln2B(), 1);
            g.linear(h, ln, blk.fcW(), blk.fcB(), 1, C, 4 * C);
            GPT.gelu(hg, h, 4 * C, cfg.exactGelu());
            g.linear(tmp, hg, blk.fc2W(), blk.fc2B(), 1, 4 * C, C);
            add(xf, tmp.f);
        }
        g.layerNorm(ln, mean, rstd, x, lay.lnfW(), lay.lnfB(), 1);
        g.linear(logits, ln, lay.lmHead(), -1, 1, C, V);
        pos++;
        float[] out = new float[V];
        logits.f.get(0, out, 0, V);
        return out;
    }

    private void add(FloatBuffer a, FloatBuffer b) {
        for (int c = 0; c < C; c++) {
            a.put(c, a.get(c) + b.get(c));
        }
    }

    @Override
    public void close() {
        for (int l = 0; l < L; l++) {
            k[l].close();
            vv[l].close();
        }
        for (Buf b : new Buf[] {x, ln, mean, rstd, qkv, y, tmp, h, hg, logits}) {
            b.close();
        }
    }
}
