package io.sparkgpt.trainer.align;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.align.ScalarHead;
import io.sparkgpt.trainer.GptBackedModel;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.ModelFactory;
import java.util.Arrays;

/**
 * The model the alignment jobs average: a GPT and, for the reward model and PPO, a {@link ScalarHead} on its trunk.
 * Flat parameters are the GPT's followed by the head's; the optimiser state is the GPT's moments, the head's
 * moments, then one float holding the common AdamW step counter (trunk and head always step together).
 */
public final class AlignModel extends GptBackedModel {
    private final ScalarHead head; // null: no head (DPO)

    public AlignModel(GPT gpt, ScalarHead head, TrainConfig train) {
        super(gpt, train);
        this.head = head;
    }

    public ScalarHead head() {
        return head;
    }

    /**
     * Builds the starting model on the driver and on each executor: the {@code --init} checkpoint (read with a
     * default Hadoop configuration: a local path every node sees, or s3a://), grown to {@code vocab} rows if the
     * chat tokens are new to it ({@link GPT#withVocabSize}, new rows from {@code seed}), plus a fresh head when
     * {@code withHead}.
     */
    public static ModelFactory factory(String initPath, int vocab, TrainConfig train, boolean withHead, long seed) {
        return new Factory(initPath, vocab, train.toJson(), withHead, seed);
    }

    private record Factory(String init, int vocab, String train, boolean withHead, long seed) implements ModelFactory {
        @Override
        public LocalModel create() {
            GPT g = load(init, vocab, seed);
            ScalarHead h = withHead ? ScalarHead.create(g.config().nEmbd(), seed) : null;
            return new AlignModel(g, h, TrainConfig.fromJson(train));
        }

        @Override
        public String cacheKey() {
            return "align\n" + init + "\n" + vocab + "\n" + train + "\n" + withHead + "\n" + seed;
        }
    }

    /** The {@code --init} model, grown to {@code vocab} token rows when it has fewer. */
    public static GPT load(String initPath, int vocab, long seed) {
        Checkpoint c = Checkpoint.load(new Storage(new org.apache.hadoop.conf.Configuration()), initPath);
        GPT g = c.toModel();
        GPTConfig cfg = g.config();
        if (cfg.vocabSize() < vocab) {
            GPT grown = g.withVocabSize(vocab, seed);
            g.close();
            return grown;
        }
        return g;
    }

    private int headSize() {
        return head == null ? 0 : head.width() + 1;
    }

    @Override
    public int numParams() {
        return Math.toIntExact(gpt.numParams() + headSize());
    }

    @Override
    public float[] params() {
        float[] p = gpt.params();
        if (head == null) {
            return p;
        }
        float[] out = Arrays.copyOf(p, p.length + headSize());
        System.arraycopy(head.params(), 0, out, p.length, headSize());
        return out;
    }

    @Override
    public void setParams(float[] params) {
        int n = Math.toIntExact(gpt.numParams());
        if (params.length != n + headSize()) {
            throw new IllegalArgumentException("expected " + (n + headSize()) + " parameters, got " + params.length);
        }
        gpt.setParams(head == null ? params : Arrays.copyOf(params, n));
        if (head != null) {
            head.setParams(Arrays.copyOfRange(params, n, params.length));
        }
    }

    @Override
    public float[] optimizerState() {
        float[] mv = gpt.optimizerState();
        float[] hm = head == null ? new float[0] : head.moments();
        float[] out = new float[mv.length + hm.length + 1];
        System.arraycopy(mv, 0, out, 0, mv.length);
        System.arraycopy(hm, 0, out, mv.length, hm.length);
        out[out.length - 1] = gpt.optimizerSteps();
        return out;
    }

    @Override
    public void setOptimizerState(float[] state) {
        int n2 = Math.toIntExact(2 * gpt.numParams());
        int h2 = 2 * headSize();
        if (state.length != n2 + h2 + 1) {
            throw new IllegalArgumentException("optimizer state has " + state.length + " floats, expected "
                    + (n2 + h2 + 1));
        }
        long t = Math.round(state[state.length - 1]);
        gpt.setOptimizerState(Arrays.copyOf(state, n2));
        gpt.setOptimizerSteps(t);
        if (head != null) {
            head.setMoments(Arrays.copyOfRange(state, n2, n2 + h2), t);
        }
    }
}
