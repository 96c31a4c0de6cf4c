package io.sparkgpt.model.bench;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.compress.MagnitudePruning;
import io.sparkgpt.model.compress.MaskedFineTune;
import io.sparkgpt.model.compress.PruneMask;
import io.sparkgpt.model.compress.StructuredPruning;
import io.sparkgpt.model.data.CharVocab;
import io.sparkgpt.model.infer.InferenceModel;
import io.sparkgpt.model.infer.ModelWeights;
import io.sparkgpt.model.infer.Perplexity;
import io.sparkgpt.model.infer.Precision;
import java.util.Arrays;
import java.util.Locale;

/**
 * Pruning table (bench/prune.sh): validation perplexity of a character-level checkpoint after magnitude pruning at
 * several sparsities and after structured pruning (heads, MLP neurons), each without and with a short masked
 * fine-tune on the training part of the text; the unpruned model fine-tuned for the same steps is the control.
 * Prints markdown rows; the last line is the perplexity at 50% unstructured sparsity after the fine-tune.
 *
 * <p>Args: {@code CHECKPOINT TEXT FT_STEPS EVAL_WINDOWS [LR]} (the last 10% of TEXT is the validation text, as in
 * {@code GptMain train}).
 */
public final class PruneBench {
    public static void main(String[] a) {
        Locale.setDefault(Locale.ROOT);
        Storage st = Storage.local();
        Checkpoint ck = Checkpoint.load(st, a[0]);
        int ft = Integer.parseInt(a[2]), windows = Integer.parseInt(a[3]);
        double lr = a.length > 4 ? Double.parseDouble(a[4]) : 3e-4;
        CharVocab vocab = CharVocab.fromChars(ck.meta().get("char_vocab"));
        int[] toks = vocab.encode(st.readString(a[1]));
        int cut = (int) Math.round(toks.length * 0.9);
        int[] train = Arrays.copyOf(toks, cut), val = Arrays.copyOfRange(toks, cut, toks.length);
        TrainConfig tc = TrainConfig.defaults().withBatch(12, 1).withMaxSteps(ft).withWarmupSteps(Math.max(1, ft / 10))
                .withLearningRate(lr).withMinLr(lr / 10).withSeed(5);
        ModelWeights w = ModelWeights.of(ck);
        System.out.printf("model %s, %,d parameters; %d fine-tune steps of %d x %d tokens at lr %.0e; validation %d "
                + "windows of %d%n", ck.config(), w.numParams(), ft, tc.batchSize(), ck.config().blockSize(), lr, windows,
                ck.config().blockSize());
        System.out.println("| pruning | weights kept in linear layers | parameters | val ppl, no fine-tune | val ppl, "
                + "after fine-tune |");
        System.out.println("|---|---|---|---|---|");
        double last = Double.NaN;
        for (double s : new double[] {0, 0.25, 0.5, 0.75, 0.9}) {
            PruneMask m = MagnitudePruning.mask(w, s);
            double before = ppl(m.applyTo(w), val, windows);
            double after = ppl(fineTune(ck, m, train, tc), val, windows);
            System.out.printf("| magnitude %.0f%% | %.0f%% | %,d (%,d non-zero) | %.3f | %.3f |%n", 100 * s,
                    100 * (1 - s), w.numParams(), w.numParams() - m.prunedCount(), before, after);
            if (s == 0.5) {
                last = after;
            }
        }
        double[][] structured = {{0.25, 0}, {0.5, 0}, {0, 0.5}, {0.25, 0.25}, {0.5, 0.5}};
        for (double[] f : structured) {
            StructuredPruning.Plan plan = StructuredPruning.plan(w, f[0], f[1]);
            PruneMask m = StructuredPruning.mask(w, plan);
            ModelWeights small = StructuredPruning.shrink(w, plan);
            double before = ppl(small, val, windows);
            ModelWeights tuned = StructuredPruning.shrink(fineTune(ck, m, train, tc), plan);
            double after = ppl(tuned, val, windows);
            long bytesFull, bytesSmall;
            try (InferenceModel x = InferenceModel.of(w, Precision.FLOAT32);
                 InferenceModel y = InferenceModel.of(small, Precision.FLOAT32)) {
                bytesFull = x.weightBytes();
                bytesSmall = y.weightBytes();
            }
            System.out.printf("| structured: %.0f%% heads, %.0f%% MLP neurons (heads %s, MLP %s) | %.0f%% | %,d "
                    + "(%.0f%% of the bytes) | %.3f | %.3f |%n", 100 * f[0], 100 * f[1],
                    Arrays.toString(small.shape().heads()), Arrays.toString(small.shape().mlpWidths()),
                    100.0 * matrixParams(small) / matrixParams(w), small.numParams(), 100.0 * bytesSmall / bytesFull,
                    before, after);
        }
        System.out.printf("ppl_magnitude50_finetuned=%.3f%n", last);
    }

    static long matrixParams(ModelWeights w) {
        return ModelWeights.matrixNames(w.shape()).stream().mapToLong(n -> w.get(n).length).sum();
    }

    static double ppl(ModelWeights w, int[] val, int windows) {
        try (InferenceModel m = InferenceModel.of(w, Precision.FLOAT32)) {
            return Math.exp(Perplexity.meanLoss(m, val, windows));
        }
    }

    /** The checkpoint's model, pruned by {@code m}, fine-tuned with the mask kept; its weights. */
    static ModelWeights fineTune(Checkpoint ck, PruneMask m, int[] train, TrainConfig tc) {
        try (GPT g = GPT.create(ck.config(), 0)) {
            g.setParams(ck.params());
            MaskedFineTune.run(g, m, train, tc);
            return ModelWeights.of(g);
        }
    }
}
