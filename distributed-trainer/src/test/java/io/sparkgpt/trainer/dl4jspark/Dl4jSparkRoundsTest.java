package io.sparkgpt.trainer.dl4jspark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.dl4j.Dl4jGpt;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The dl4j-spark engine's rounds, against plain DL4J in one process: with one worker, averaging is the identity, so
 * {@code rounds} rounds of {@code localSteps} steps must leave the master exactly where fitting the same batches one
 * after the other leaves a single graph (same learning rate at each step, same Adam bias correction).
 */
class Dl4jSparkRoundsTest {
    @Test
    void oneWorkerRoundsEqualLocalTraining() throws Exception {
        int rounds = 3, localSteps = 3, batch = 4, T = 8, V = 40;
        long seed = 11;
        GPTConfig model = new GPTConfig(V, T, 1, 2, 16, 0.0, false, true);
        // warmup then cosine over the whole run: a worker restarting at iteration 0 takes other learning rates
        TrainConfig tc = TrainConfig.defaults().withLearningRate(1e-2).withMinLr(1e-3).withWarmupSteps(2)
                .withMaxSteps(rounds * localSteps).withWeightDecay(0.1).withBetas(0.9, 0.99).withGradClip(0)
                .withBatch(batch, 1).withSeed(seed);
        Random r = new Random(3);
        int[] shard = new int[600];
        for (int i = 0; i < shard.length; i++) {
            shard[i] = (i % 7 == 0) ? r.nextInt(V) : (shard[Math.max(0, i - 1)] * 3 + 1) % V;
        }

        String timeSource = System.getProperty(Dl4jSparkPretrainJob.TIME_SOURCE_PROPERTY);
        System.setProperty(Dl4jSparkPretrainJob.TIME_SOURCE_PROPERTY, Dl4jSparkPretrainJob.SYSTEM_CLOCK);
        JavaSparkContext jsc = new JavaSparkContext(new SparkConf().setMaster("local[2]")
                .setAppName("dl4j-spark-rounds-test").set("spark.ui.enabled", "false")
                .set("spark.serializer", "org.apache.spark.serializer.JavaSerializer"));
        try {
            JavaRDD<int[]> shards = jsc.parallelize(List.of(shard), 1);
            SparkComputationGraph net = new SparkComputationGraph(jsc, Dl4jGpt.build(model, tc, seed),
                    Dl4jSparkPretrainJob.trainingMaster(1, batch, localSteps, 2, seed));
            ComputationGraph local = Dl4jGpt.build(model, tc, seed);
            for (int round = 1; round <= rounds; round++) {
                WindowDataSets draw = new WindowDataSets(seed, round, localSteps, batch, T, V);
                Dl4jSparkPretrainJob.fitRound(net, shards.mapPartitionsWithIndex(draw, true));
                Iterator<DataSet> same = draw.call(0, List.of(shard).iterator());
                while (same.hasNext()) {
                    local.fit(same.next());
                }
                ComputationGraph master = net.getNetwork();
                assertEquals(round * localSteps, master.getConfiguration().getIterationCount());
                double diff = maxAbsDiff(master.params(), local.params());
                assertTrue(diff < 1e-5, "round " + round + ": the master's parameters are " + diff
                        + " (max abs) away from the same steps taken in one process");
                double adamDiff = maxAbsDiff(master.getUpdater().getStateViewArray(),
                        local.getUpdater().getStateViewArray());
                assertTrue(adamDiff < 1e-5, "round " + round + ": Adam state " + adamDiff + " away");
            }
        } finally {
            jsc.stop();
            if (timeSource == null) {
                System.clearProperty(Dl4jSparkPretrainJob.TIME_SOURCE_PROPERTY);
            } else {
                System.setProperty(Dl4jSparkPretrainJob.TIME_SOURCE_PROPERTY, timeSource);
            }
        }
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sub(b.castTo(
                org.nd4j.linalg.api.buffer.DataType.DOUBLE)).amaxNumber().doubleValue();
    }
}
