package io.sparkgpt.trainer.dl4jspark;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.dl4j.Dl4jGpt;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.trainer.PretrainOptions;
import io.sparkgpt.trainer.TokenShards;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code PretrainJob --engine dl4j-spark}: the same pretraining, but the model is the DL4J {@link ComputationGraph}
 * of {@link Dl4jGpt} and the engine is dl4j-spark's {@link SparkComputationGraph} +
 * {@link ParameterAveragingTrainingMaster} (DESIGN.md's named engine, 1.0.0-M2 on Spark 3.5 and DL4J M2.1).
 *
 * <p>Each round: every worker's shard gives {@code --local-steps} mini-batches of {@code --batch-size} windows
 * ({@link WindowDataSets}); one {@code fit} of that RDD is exactly one averaging round (averagingFrequency =
 * local steps, no repartitioning, the Direct RDD approach); parameters and Adam state are averaged
 * ({@code saveUpdater}), and the workers continue the master's iteration count ({@link IterationCountHook}:
 * dl4j-spark alone restarts it at 0 each round, and with it the learning-rate schedule and Adam's bias
 * correction). After each round the driver logs a JSONL line, evaluates validation loss every
 * {@code --eval-every} rounds and writes a ModelSerializer checkpoint every {@code --checkpoint-every} rounds. At the
 * end {@code <run>/model/} holds the graph ({@code graph.zip}) and the same weights as a fast-engine
 * {@link Checkpoint} ({@code model.ckpt}), so the model module's eval and sample tools load it.
 *
 * <p>Not offered here (the team's own engine has them): {@code --resume}, the DiLoCo outer optimizer, gradient
 * clipping by global norm, gradient accumulation, early stopping; options of PretrainJob this engine does not use
 * are listed as ignored on stderr. Spark must use Java serialization (dl4j-spark's INDArrays need ND4J's Kryo
 * registrator, from nd4j-kryo, which is left out: its kryo 4 clashes with Spark's): when the job creates the
 * session it sets that itself. Executors need
 * {@code -Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource}
 * (dl4j-spark's default NTP clock reaches out to the network).
 */
@Command(name = "pretrain --engine dl4j-spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Pretrains the GPT as a DL4J ComputationGraph with dl4j-spark's "
                + "ParameterAveragingTrainingMaster.",
        footer = {"", "Here --dropout must be 0 (the DL4J graph has no dropout), --resume is refused (the default "
                + "engine has it), --tree-depth is dl4j-spark's aggregationDepth, and options of the default engine "
                + "that this one does not use are ignored with a note on stderr."})
public final class Dl4jSparkPretrainJob implements Callable<Integer> {
    public static final String TIME_SOURCE_PROPERTY = "org.deeplearning4j.spark.time.TimeSource";
    public static final String SYSTEM_CLOCK = "org.deeplearning4j.spark.time.SystemClockTimeSource";

    @Mixin
    PretrainOptions o = new PretrainOptions();
    @Option(names = "--engine", defaultValue = "dl4j-spark", description = "must be dl4j-spark here (default: ${DEFAULT-VALUE})")
    String engine;
    @Unmatched
    List<String> ignored = new ArrayList<>();
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Cli.main(new Dl4jSparkPretrainJob(), args);
    }

    @Override
    public Integer call() throws IOException {
        if (!"dl4j-spark".equals(engine)) {
            throw new UsageException("--engine " + engine + ": this class is the dl4j-spark engine");
        }
        if (o.run.resume) {
            throw new UsageException("--resume is not supported by --engine dl4j-spark (use the default engine)");
        }
        if (o.shape.dropout != 0) {
            throw new UsageException("--dropout " + o.shape.dropout + ": --engine dl4j-spark trains without dropout");
        }
        // options of the shared mixins that this engine has no use for: the DL4J graph is trained without clipping,
        // runs to the end and keeps no checkpoints of its own
        for (String unused : List.of("--grad-clip", "--patience", "--keep-checkpoints")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(unused)) {
                ignored.add(unused);
            }
        }
        if (!ignored.isEmpty()) {
            System.err.println("pretrain (dl4j-spark): ignoring options this engine does not use: " + ignored);
        }
        o.resolveBatch();
        int rounds = o.rounds();
        if (o.round.localSteps < 1 || o.opt.batchSize < 1 || o.round.workers < 1 || rounds < 1) {
            throw new UsageException("--local-steps, --batch-size, --workers and the number of rounds must be >= 1");
        }
        o.requireWindowPerChunk();
        if (System.getProperty(TIME_SOURCE_PROPERTY) == null) {
            System.setProperty(TIME_SOURCE_PROPERTY, SYSTEM_CLOCK);
        }
        SparkSession spark = javaSerializedSession();
        try {
            return train(spark, rounds);
        } finally {
            spark.stop();
        }
    }

    /** Sessions' session, but with Java serialization unless the submitter chose a serializer. */
    private static SparkSession javaSerializedSession() {
        String before = System.getProperty("spark.serializer");
        if (before == null) {
            System.setProperty("spark.serializer", "org.apache.spark.serializer.JavaSerializer");
        }
        try {
            return Sessions.getOrCreate("sparkgpt-pretrain-dl4j-spark");
        } finally {
            if (before == null) {
                System.clearProperty("spark.serializer");
            }
        }
    }

    private int train(SparkSession spark, int rounds) throws IOException {
        Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
        String train = Storage.child(o.data, "train");
        String val = Storage.child(o.data, "val");
        storage.requireExists("training tokens", train);
        if (o.run.overwrite) {
            storage.delete(o.run.output);
        } else if (storage.exists(Storage.child(o.run.output, "metrics.jsonl"))) {
            throw new UsageException("output " + o.run.output + " already holds a run: use --overwrite to start over");
        }
        storage.requireWritable(o.run.output);

        JavaRDD<int[]> shards = TokenShards.build(spark, train, o.round.workers, o.chunkTokens);
        long[] desc = TokenShards.describe(shards, o.shape.blockSize + 1, o.round.workers);
        int vocab = o.vocabulary(storage, (int) desc[o.round.workers]);
        int[] valStream = storage.exists(val) ? TokenShards.readValidation(spark, val, o.valTokens) : new int[0];
        GPTConfig model = o.shape.config(vocab);
        TrainConfig tc = o.opt.trainConfig(TrainConfig.defaults().withSeed(o.run.seed), o.round.decaySteps(rounds),
                o.opt.batchSize).withGradClip(0);
        System.out.printf("pretrain (dl4j-spark): %d workers, %d rounds x %d local steps x %d sequences, vocabulary "
                + "%d, %,d validation tokens%n", o.round.workers, rounds, o.round.localSteps, o.opt.batchSize, vocab,
                valStream.length);
        Map<String, Object> runJson = new LinkedHashMap<>();
        runJson.put("engine", "dl4j-spark");
        runJson.put("data", o.data);
        runJson.put("model", model);
        runJson.put("train", tc);
        runJson.put("rounds", rounds);
        runJson.put("local_steps", o.round.localSteps);
        runJson.put("workers", o.round.workers);
        storage.writeString(Storage.child(o.run.output, "run.json"), Json.write(runJson));

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SparkComputationGraph net = new SparkComputationGraph(jsc, Dl4jGpt.build(model, tc, o.run.seed),
                trainingMaster(o.round.workers, o.opt.batchSize, o.round.localSteps, o.round.treeDepth, o.run.seed));

        List<String> metrics = new ArrayList<>();
        long tokensPerRound = (long) o.round.workers * o.round.localSteps * o.opt.batchSize * o.shape.blockSize;
        double bestVal = Double.NaN;
        for (int round = 1; round <= rounds; round++) {
            JavaRDD<DataSet> batches = shards.mapPartitionsWithIndex(
                    new WindowDataSets(o.run.seed, round, o.round.localSteps, o.opt.batchSize, o.shape.blockSize, vocab),
                    true);
            long t0 = System.nanoTime();
            fitRound(net, batches);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double trainLoss = net.getScore() / o.shape.blockSize;   // DL4J's score is summed over the T positions
            Double valLoss = null;
            if (valStream.length > o.shape.blockSize
                    && ((o.round.evalEvery > 0 && round % o.round.evalEvery == 0) || round == rounds)) {
                valLoss = validationLoss(net.getNetwork(), valStream);
                bestVal = Double.isNaN(bestVal) ? valLoss : Math.min(bestVal, valLoss);
            }
            long step = (long) round * o.round.localSteps;
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("engine", "dl4j-spark");
            line.put("round", round);
            line.put("step", step);
            line.put("tokens_seen", round * tokensPerRound);
            line.put("train_loss", trainLoss);
            line.put("val_loss", valLoss);
            line.put("lr", tc.schedule().at(step - 1));
            line.put("tokens_per_s", tokensPerRound / seconds);
            line.put("round_s", seconds);
            metrics.add(Json.writeLine(line));
            storage.writeString(Storage.child(o.run.output, "metrics.jsonl"), String.join("\n", metrics) + "\n");
            System.out.printf("round %d/%d step %d train %.4f val %s %.0f tokens/s %.1f s%n", round, rounds, step,
                    trainLoss, valLoss == null ? "-" : String.format("%.4f", valLoss), tokensPerRound / seconds,
                    seconds);
            if (o.round.checkpointEvery > 0 && round % o.round.checkpointEvery == 0 && round < rounds) {
                String dir = Storage.child(o.run.output, String.format("checkpoints/round-%06d", round));
                storage.writeAtomically(Storage.child(dir, "graph.zip"), graphBytes(net.getNetwork()));
                storage.markComplete(dir);
            }
        }
        String dir = Storage.child(o.run.output, "model");
        ComputationGraph trained = net.getNetwork();
        storage.writeAtomically(Storage.child(dir, "graph.zip"), graphBytes(trained));
        try (GPT gpt = Dl4jGpt.toGpt(trained, model)) {
            Checkpoint.of(gpt, tc, (long) rounds * o.round.localSteps, List.of(), Double.isNaN(bestVal)
                    ? Double.MAX_VALUE : bestVal, 0, Map.of("data", o.data, "workers", String.valueOf(o.round.workers),
                    "trainer", "io.sparkgpt.trainer.dl4jspark.Dl4jSparkPretrainJob")).save(storage,
                    Storage.child(dir, "model.ckpt"));
        }
        storage.markComplete(dir);
        shards.unpersist(false);
        storage.markComplete(o.run.output);
        return Cli.EXIT_OK;
    }

    /**
     * dl4j-spark's master as this engine drives it: one {@code fit} of an RDD holding {@code localSteps} batches of
     * {@code batchSize} windows per worker partition is exactly one averaging round (no repartitioning, the Direct
     * approach), parameters and Adam state averaged.
     */
    static ParameterAveragingTrainingMaster trainingMaster(int workers, int batchSize, int localSteps, int treeDepth,
            long seed) {
        return new ParameterAveragingTrainingMaster.Builder(workers, batchSize)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(localSteps)
                .aggregationDepth(Math.max(1, treeDepth))
                .workerPrefetchNumBatches(0)
                .saveUpdater(true)
                .repartionData(Repartition.Never)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(seed)
                .collectTrainingStats(false)
                .build();
    }

    /**
     * One averaging round on {@code net} (made with {@link #trainingMaster}): every worker fits its partition's
     * batches starting from the master's iteration count, which dl4j-spark alone would reset to 0 on the workers
     * ({@link IterationCountHook}), and the master takes the average.
     */
    static void fitRound(SparkComputationGraph net, JavaRDD<DataSet> batches) {
        TrainingMaster<?, ?> tm = net.getTrainingMaster();
        IterationCountHook hook = new IterationCountHook(net.getNetwork().getConfiguration().getIterationCount());
        tm.addHook(hook);
        try {
            net.fit(batches);
        } finally {
            tm.removeHook(hook);
        }
    }

    private static byte[] graphBytes(ComputationGraph g) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, out, true);
        return out.toByteArray();
    }

    /** Mean loss over up to {@code --eval-windows} evenly spaced windows of the validation stream. */
    double validationLoss(ComputationGraph g, int[] stream) {
        int span = stream.length - o.shape.blockSize - 1;
        int n = Math.max(1, Math.min(o.evalWindows, span + 1));
        double sum = 0;
        int done = 0;
        for (int s = 0; s < n; s += o.opt.batchSize) {
            int b = Math.min(o.opt.batchSize, n - s);
            int[][] x = new int[b][o.shape.blockSize];
            int[][] y = new int[b][o.shape.blockSize];
            for (int i = 0; i < b; i++) {
                int start = (int) ((long) span * (s + i) / Math.max(1, n - 1));
                System.arraycopy(stream, start, x[i], 0, o.shape.blockSize);
                System.arraycopy(stream, start + 1, y[i], 0, o.shape.blockSize);
            }
            sum += Dl4jGpt.loss(g, x, y) * b;
            done += b;
        }
        return sum / done;
    }
}
