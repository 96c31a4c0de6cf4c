package io.sparkgpt.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The forward pass's saved activations and the backward pass's scratch for up to {@code rows} sequences of up to
 * blockSize tokens: what one worker thread of {@link GPT} needs. Every buffer is registered with its name and shape
 * when created, so {@link #close()} frees exactly those and {@link #bytes()} reports the footprint. Buffers that
 * only dropout needs are null without dropout.
 */
final class Activations implements AutoCloseable {
    /** A registered buffer. */
    record Entry(String name, int[] shape, Buf buf) {}

    private final List<Entry> all = new ArrayList<>();
    final int rows;
    final Buf enc, encMask, lnf, lnfMean, lnfRstd, logits;
    final Layer[] layer;
    /** Backward scratch: a masked branch gradient, the residual stream's gradient, and per-shape temporaries. */
    final Buf sBTC, dres, dBTC, dqkv, dfch, pScr, dpScr;

    /** One block's saved activations. */
    final class Layer {
        final Buf ln1, ln1Mean, ln1Rstd, qkv, att, attMask, atty, res2, drop2, ln2, ln2Mean, ln2Rstd, fch, fchg,
                fchTanh, res3, drop3;

        Layer(int l, int B, int T, int C, int H, boolean d) {
            String p = "h." + l + ".";
            ln1 = buf(p + "ln1", B, T, C);
            ln1Mean = buf(p + "ln1.mean", B, T);
            ln1Rstd = buf(p + "ln1.rstd", B, T);
            qkv = buf(p + "qkv", B, T, 3 * C);
            att = buf(p + "att", B, H, T, T);
            attMask = d ? buf(p + "att.mask", B, H, T, T) : null;
            atty = buf(p + "att.y", B, T, C);
            res2 = buf(p + "res2", B, T, C);
            drop2 = d ? buf(p + "res2.mask", B, T, C) : null;
            ln2 = buf(p + "ln2", B, T, C);
            ln2Mean = buf(p + "ln2.mean", B, T);
            ln2Rstd = buf(p + "ln2.rstd", B, T);
            fch = buf(p + "fc", B, T, 4 * C);
            fchg = buf(p + "fc.gelu", B, T, 4 * C);
            fchTanh = buf(p + "fc.gelu.keep", B, T, 4 * C);
            res3 = buf(p + "res3", B, T, C);
            drop3 = d ? buf(p + "res3.mask", B, T, C) : null;
        }
    }

    Activations(GPTConfig cfg, int rows) {
        this.rows = rows;
        int B = rows, T = cfg.blockSize(), C = cfg.nEmbd(), H = cfg.nHead(), V = cfg.vocabSize();
        boolean d = cfg.dropout() > 0;
        enc = buf("enc", B, T, C);
        encMask = d ? buf("enc.mask", B, T, C) : null;
        layer = new Layer[cfg.nLayer()];
        for (int l = 0; l < layer.length; l++) {
            layer[l] = new Layer(l, B, T, C, H, d);
        }
        lnf = buf("ln_f", B, T, C);
        lnfMean = buf("ln_f.mean", B, T);
        lnfRstd = buf("ln_f.rstd", B, T);
        logits = buf("logits", B, T, V);
        sBTC = buf("d.branch", B, T, C);
        dres = buf("d.res", B, T, C);
        dBTC = buf("d.btc", B, T, C);
        dqkv = buf("d.qkv", B, T, 3 * C);
        dfch = buf("d.fc", B, T, 4 * C);
        pScr = buf("att.p.scratch", T, T);
        dpScr = buf("att.dp.scratch", T, T);
    }

    private Buf buf(String name, int... shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("activation " + name + " of " + n + " floats is too large for one "
                    + "buffer: lower the micro-batch size");
        }
        Buf b = new Buf((int) n);
        all.add(new Entry(name, shape, b));
        return b;
    }

    /** Off-heap bytes held. */
    long bytes() {
        long n = 0;
        for (Entry e : all) {
            n += 4L * e.buf().n;
        }
        return n;
    }

    @Override
    public void close() {
        for (Entry e : all) {
            e.buf().close();
        }
        all.clear();
    }
}
