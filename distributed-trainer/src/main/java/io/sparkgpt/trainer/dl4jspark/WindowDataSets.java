package io.sparkgpt.trainer.dl4jspark;

import io.sparkgpt.model.dl4j.Dl4jGpt;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.function.Function2;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One averaging round's training data for dl4j-spark: on each worker's token shard (one {@code int[]} per partition,
 * from {@code TokenShards}) it draws {@code localSteps} mini-batches of {@code batch} random windows of
 * {@code T + 1} tokens, as DataSets in the layout of {@link Dl4jGpt} (features: ids {@code [batch, 1, T]}; labels:
 * one-hot {@code [batch, V, T]}). The draw depends only on (seed, round, worker), so a re-run task draws the same.
 */
final class WindowDataSets implements Function2<Integer, Iterator<int[]>, Iterator<DataSet>> {
    private final long seed;
    private final int round;
    private final int localSteps;
    private final int batch;
    private final int blockSize;
    private final int vocab;

    WindowDataSets(long seed, int round, int localSteps, int batch, int blockSize, int vocab) {
        this.seed = seed;
        this.round = round;
        this.localSteps = localSteps;
        this.batch = batch;
        this.blockSize = blockSize;
        this.vocab = vocab;
    }

    @Override
    public Iterator<DataSet> call(Integer worker, Iterator<int[]> shardIt) {
        int[] shard = shardIt.hasNext() ? shardIt.next() : new int[0];
        if (shard.length < blockSize + 1) {
            throw new IllegalStateException("worker " + worker + "'s shard holds " + shard.length
                    + " tokens, fewer than one window of " + (blockSize + 1));
        }
        Random r = new Random(seed * 1_000_003L + round * 7919L + worker);
        List<DataSet> out = new ArrayList<>(localSteps);
        for (int s = 0; s < localSteps; s++) {
            int[][] x = new int[batch][blockSize];
            int[][] y = new int[batch][blockSize];
            for (int b = 0; b < batch; b++) {
                int start = r.nextInt(shard.length - blockSize);
                System.arraycopy(shard, start, x[b], 0, blockSize);
                System.arraycopy(shard, start + 1, y[b], 0, blockSize);
            }
            out.add(Dl4jGpt.dataSet(x, y, vocab));
        }
        return out.iterator();
    }
}
