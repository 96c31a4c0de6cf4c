package io.sparkgpt.model.bench;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.data.CharVocab;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.ModelFile;
import io.sparkgpt.model.infer.ModelWeights;
import io.sparkgpt.model.infer.Perplexity;
import io.sparkgpt.model.infer.Precision;
import io.sparkgpt.model.infer.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Inference benchmark (bench/infer.sh, beside bench/infer_torch.py): greedy generation tokens/s of the
 * {@link InferenceModel} in float32 and int8, with the KV cache and without it (a full forward pass over the context
 * per new token), one sequence and a batch of sequences; model sizes; held-out perplexity of both precisions.
 *
 * <p>Args: {@code CHECKPOINT|random:C,L,H,T,V  PROMPT_LEN NEW_TOKENS BATCH REPS [TEXT]}. With {@code random:...} a
 * GPT-2-initialised model is written to {@code /tmp} as a checkpoint (for the PyTorch side) and its path printed as
 * {@code checkpoint=}. TEXT (a text file for a character-level checkpoint): the last 10% is the held-out text.
 */
public final class InferBench {
    public static void main(String[] a) throws Exception {
        String src = a[0];
        int P = Integer.parseInt(a[1]), N = Integer.parseInt(a[2]), B = Integer.parseInt(a[3]);
        int reps = Integer.parseInt(a[4]);
        Storage st = Storage.local();
        Checkpoint ck;
        String path = src;
        if (src.startsWith("random:")) {
            int[] v = Arrays.stream(src.substring(7).split(",")).mapToInt(Integer::parseInt).toArray();
            GPTConfig c = new GPTConfig(v[4], v[3], v[1], v[2], v[0], 0.0, false, true);
            try (GPT g = GPT.create(c, 1)) {
                ck = Checkpoint.of(g, null, 0, List.of(), Double.MAX_VALUE, 0, Map.of());
            }
            path = "/tmp/infer-bench-" + v[0] + "-" + v[1] + "-" + v[4] + ".ckpt";
            ck.save(st, path);
        } else {
            ck = Checkpoint.load(st, path);
        }
        System.out.println("checkpoint=" + path);
        GPTConfig c = ck.config();
        ModelWeights w = ModelWeights.of(ck);
        System.out.printf("model %s, %,d parameters%n", c, w.numParams());
        long f32 = ModelFile.of(w, Precision.FLOAT32, Map.of()).toBytes().length;
        long i8 = ModelFile.of(w, Precision.INT8, Map.of()).toBytes().length;
        System.out.printf("size: float32 %,d bytes, int8 %,d bytes (%.3f of float32); training checkpoint %,d bytes"
                + " (with AdamW moments)%n", f32, i8, (double) i8 / f32, ck.toBytes().length);
        int[] prompt = new Random(3).ints(P, 0, c.vocabSize()).toArray();
        System.out.println("prompt: " + Arrays.toString(prompt).replaceAll("[\\[\\],]", ""));
        try (InferenceModel fm = InferenceModel.of(w, Precision.FLOAT32);
             InferenceModel qm = InferenceModel.of(w, Precision.INT8)) {
            if (a.length > 5 && ck.meta().containsKey("char_vocab")) {
                CharVocab vocab = CharVocab.fromChars(ck.meta().get("char_vocab"));
                String text = st.readString(a[5]);
                int[] toks = vocab.encode(text);
                int[] held = Arrays.copyOfRange(toks, (int) (toks.length * 0.9), toks.length);
                double lf = Perplexity.meanLoss(fm, held, 200), lq = Perplexity.meanLoss(qm, held, 200);
                System.out.printf("held-out (%,d windows of %d): float32 loss %.4f ppl %.4f, int8 loss %.4f ppl %.4f "
                        + "(ppl %+.3f%%)%n", Math.min(200, (held.length - 1) / c.blockSize()), c.blockSize(), lf,
                        Math.exp(lf), lq, Math.exp(lq), 100 * (Math.exp(lq - lf) - 1));
            }
            System.out.println("greedy tokens float32: " + Arrays.toString(Arrays.copyOf(generate(fm, prompt, N, true),
                    Math.min(N, 16))));
            System.out.println("greedy tokens int8:    " + Arrays.toString(Arrays.copyOf(generate(qm, prompt, N, true),
                    Math.min(N, 16))));
            for (int r = 0; r < reps; r++) {
                for (InferenceModel m : new InferenceModel[] {fm, qm}) {
                    String p = m.precision().name().toLowerCase();
                    double kv = time(() -> generate(m, prompt, N, true), N);
                    double nokv = time(() -> generate(m, prompt, N, false), N);
                    double batch = time(() -> generateBatch(m, prompt, N, B), (long) N * B);
                    System.out.printf("rep %d %s: kv %.1f tokens/s, no-kv %.1f tokens/s, batch %d with kv %.1f "
                            + "tokens/s%n", r, p, kv, nokv, B, batch);
                }
            }
        }
    }

    static double time(Runnable r, long tokens) {
        long t0 = System.nanoTime();
        r.run();
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }

    static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

    /** Greedy: the prompt, then N tokens, with the KV cache or a full forward pass per token. */
    static int[] generate(InferenceModel m, int[] prompt, int n, boolean kv) {
        int[] ctx = Arrays.copyOf(prompt, prompt.length + n);
        int len = prompt.length;
        Session s = m.newSession();
        float[] logits = m.prefill(s, prompt);
        for (int i = 0; i < n; i++) {
            int next = argmax(logits);
            ctx[len++] = next;
            if (i == n - 1) {
                break;
            }
            logits = kv ? m.step(List.of(s), new int[] {next})[0]
                    : m.prefill(m.newSession(), Arrays.copyOf(ctx, len));
        }
        return Arrays.copyOfRange(ctx, prompt.length, len);
    }

    /** B sequences (the same prompt shifted per sequence) decoded together, one step for all per token. */
    static void generateBatch(InferenceModel m, int[] prompt, int n, int B) {
        List<Session> ss = new ArrayList<>();
        int[] next = new int[B];
        for (int b = 0; b < B; b++) {
            Session s = m.newSession();
            int[] p = prompt.clone();
            p[0] = (p[0] + b) % m.shape().vocabSize();
            next[b] = argmax(m.prefill(s, p));
            ss.add(s);
        }
        for (int i = 1; i < n; i++) {
            float[][] l = m.step(ss, next);
            for (int b = 0; b < B; b++) {
                next[b] = argmax(l[b]);
            }
        }
    }
}
