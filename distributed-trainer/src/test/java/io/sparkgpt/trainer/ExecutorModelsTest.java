package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TokenWindows;
import io.sparkgpt.model.TrainConfig;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The executor-side model pool, and that a kept copy trains exactly like a new one once a round's inputs are loaded. */
class ExecutorModelsTest {
    static final GPTConfig MODEL = new GPTConfig(40, 16, 1, 2, 16, 0.1, false, true);   // dropout: the RNG matters
    static final TrainConfig TRAIN = TrainConfig.defaults().withLearningRate(3e-3).withMaxSteps(20).withBatch(2, 2);

    @AfterEach
    void clear() {
        ExecutorModels.clear();
    }

    /** What a round task does to a copy: load (params, state, seed), take steps; returns [params, state]. */
    static float[][] round(LocalModel m, float[] p, float[] s, long seed, int[] tokens) {
        m.setParams(p);
        m.setOptimizerState(s);
        m.reseed(seed);
        TokenWindows w = new TokenWindows(tokens, 16, seed);
        for (int i = 0; i < 3; i++) {
            TokenWindows.Batch b = w.next(4);
            m.trainStep(b.x(), b.y(), 2e-3);
        }
        return new float[][] {m.params(), m.optimizerState()};
    }

    @Test
    void aKeptCopyGivesTheSameRoundAsANewOne() {
        int[] tokens = new Random(5).ints(2_000, 0, 40).toArray();
        ModelFactory f = GptModel.factory(MODEL, TRAIN, 11);
        LocalModel kept = ExecutorModels.borrow(f);
        float[][] r1 = round(kept, kept.params(), kept.optimizerState(), 1, tokens);
        // the kept copy now holds round 1's weights, moments, step counter, RNG state and activations
        float[][] again = round(kept, r1[0], r1[1], 2, tokens);
        try (LocalModel fresh = f.create()) {
            float[][] expected = round(fresh, r1[0], r1[1], 2, tokens);
            assertArrayEquals(expected[0], again[0]);
            assertArrayEquals(expected[1], again[1]);
        }
        ExecutorModels.release(f, kept);
    }

    @Test
    void poolsCopiesPerFactoryKey() {
        ModelFactory f = GptModel.factory(MODEL, TRAIN, 11);
        LocalModel a = ExecutorModels.borrow(f);
        LocalModel b = ExecutorModels.borrow(f);          // a is in use: a second task gets its own copy
        assertNotSame(a, b);
        ExecutorModels.release(f, a);
        ExecutorModels.release(f, b);
        assertEquals(2, ExecutorModels.idle());
        LocalModel again = ExecutorModels.borrow(GptModel.factory(MODEL, TRAIN, 11));   // an equal recipe
        assertSame(b, again);
        ExecutorModels.release(f, again);

        // another model takes over the executor: the idle copies of the old one are closed, not handed out
        ModelFactory other = GptModel.factory(MODEL, TRAIN.withLearningRate(1e-3), 11);
        LocalModel c = ExecutorModels.borrow(other);
        assertNotSame(a, c);
        assertNotSame(b, c);
        assertEquals(0, ExecutorModels.idle());
        ExecutorModels.release(f, c);   // released under the old key: closed, not kept
        assertEquals(0, ExecutorModels.idle());

        // a factory without a key is never pooled
        ModelFactory plain = () -> GptModel.factory(MODEL, TRAIN, 11).create();
        LocalModel d = ExecutorModels.borrow(plain);
        ExecutorModels.release(plain, d);
        assertEquals(0, ExecutorModels.idle());
    }
}
