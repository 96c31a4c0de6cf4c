package io.sparkgpt.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.spark.Sessions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spark-submit --class io.sparkgpt.trainer.PretrainJob distributed-trainer-job.jar --data <tokens> --output
 * <run>}: GPT pretraining by rounds of local steps and parameter averaging over {@code --workers} Spark tasks.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Pretrains a GPT on token Parquet (tokens/train, tokens/val) by parameter averaging on Spark.")
public final class PretrainJob implements Callable<Integer> {
    /** The trained model inside {@code <run>/model/}, a {@link Checkpoint} of the model module. */
    public static final String MODEL_FILE = "model.ckpt";

    @Mixin
    PretrainOptions o = new PretrainOptions();

    // the default engine's own options
    @Option(names = "--micro-batch", defaultValue = "0",
            description = "sequences per forward/backward; 0 = batch-size / grad-accum (default: ${DEFAULT-VALUE})")
    int microBatch;
    @Option(names = "--grad-accum", defaultValue = "1", description = "micro-batches per step (default: ${DEFAULT-VALUE})")
    int gradAccum;
    @Option(names = "--outer-optimizer", defaultValue = "none",
            description = "none (plain averaging) or nesterov (DiLoCo) (default: ${DEFAULT-VALUE})")
    OuterOptimizer.Kind outerOptimizer;
    @Option(names = "--outer-lr", defaultValue = "0.7", description = "outer learning rate (default: ${DEFAULT-VALUE})")
    double outerLr;
    @Option(names = "--outer-momentum", defaultValue = "0.9", description = "outer Nesterov momentum (default: ${DEFAULT-VALUE})")
    double outerMomentum;

    // continued pretraining (the retraining cycle): start from a trained model instead of a fresh initialisation
    @Option(names = "--init", description = "continue pretraining from a trained model: a model.ckpt or a run folder "
            + "(its model/model.ckpt); its weights and model shape (--n-layer/--n-head/--n-embd/--block-size/"
            + "--vocab-size are then taken from it), a fresh AdamW unless --init-optimizer, and the learning-rate "
            + "schedule re-warmed from step 0")
    String init;
    @Option(names = "--init-optimizer", description = "with --init: also start from its AdamW moments")
    boolean initOptimizer;
    @Option(names = "--mix-earlier", defaultValue = "0", description = "share of the training tokens drawn from "
            + "earlier corpora (the token folders listed in --earlier), so continued pretraining keeps rehearsing "
            + "them; 0 = the new tokens only (default: ${DEFAULT-VALUE})")
    double mixEarlier;
    @Option(names = "--earlier", description = "with --mix-earlier: a file listing earlier training token folders "
            + "(tokens/train), one a line (retrain.sh keeps it as models/<gen>/train-tokens.txt)")
    String earlier;

    // optional second engine (io.sparkgpt.trainer.dl4jspark, added by the DL4J-face work): the whole command line is
    // handed to it unchanged
    @Option(names = "--engine", defaultValue = "own", description = "own (this class: rounds of local steps + "
            + "treeAggregate averaging) or dl4j-spark (dl4j-spark's ParameterAveragingTrainingMaster on the DL4J "
            + "ComputationGraph of the same GPT) (default: ${DEFAULT-VALUE})")
    String engine;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Cli.main(new PretrainJob(), args);
    }

    @Override
    public Integer call() throws IOException {
        if ("dl4j-spark".equals(engine)) {
            return Cli.execute(new io.sparkgpt.trainer.dl4jspark.Dl4jSparkPretrainJob(),
                    spec.commandLine().getParseResult().originalArgs().toArray(String[]::new));
        } else if (!"own".equals(engine)) {
            throw new UsageException("--engine " + engine + ": expected own or dl4j-spark");
        }
        o.resolveBatch();
        int rounds = o.rounds();
        int micro = microBatch();
        RunConfig run = runConfig(rounds);
        TrainConfig tc = trainConfig(run, micro);
        o.requireWindowPerChunk();

        SparkSession spark = Sessions.getOrCreate("sparkgpt-pretrain");
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            String train = Storage.child(o.data, "train");
            String val = Storage.child(o.data, "val");
            storage.requireExists("training tokens", train);
            o.run.prepareOutput(storage);
            // a continued model keeps its context length: the windows are cut to it, whatever --block-size says
            Checkpoint initModel = init == null ? null : readInit(storage);
            if (initModel != null && initModel.config().blockSize() != o.shape.blockSize) {
                System.out.printf("pretrain: --init model's context is %d tokens: windows of %d (not --block-size %d)%n",
                        initModel.config().blockSize(), initModel.config().blockSize(), o.shape.blockSize);
                o.shape.blockSize = initModel.config().blockSize();
                run = runConfig(rounds);
                o.requireWindowPerChunk();
            }

            EarlierTokens.Mixed mixed = EarlierTokens.mix(spark, storage, train, mixEarlier, earlier, o.run.seed);
            JavaRDD<int[]> shards = TokenShards.build(mixed.rows(), o.round.workers, o.chunkTokens);
            long[] desc = TokenShards.describe(shards, o.shape.blockSize + 1, o.round.workers);
            List<Long> shardTokens = new ArrayList<>();
            for (int k = 0; k < o.round.workers; k++) {
                shardTokens.add(desc[k]);
            }
            int maxId = (int) desc[o.round.workers];
            int vocab = o.vocabulary(storage, maxId);
            int[] valStream = storage.exists(val) ? TokenShards.readValidation(spark, val, o.valTokens) : new int[0];
            System.out.printf("pretrain: %d workers, shards %s tokens, %,d validation tokens, vocabulary %d%n",
                    o.round.workers, shardTokens, valStream.length, vocab);

            if (initModel != null && initModel.config().vocabSize() <= maxId) {
                throw new UsageException("--init " + init + ": its vocabulary has " + initModel.config().vocabSize()
                        + " tokens but the data holds token id " + maxId + " (tokenize with its tokenizer)");
            }
            GPTConfig model = initModel != null ? initModel.config() : o.shape.config(vocab);
            Map<String, Object> runJson = new LinkedHashMap<>();
            runJson.put("data", o.data);
            if (initModel != null) {
                runJson.put("init", init);
                runJson.put("init_optimizer", initOptimizer);
            }
            if (!mixed.summary().isEmpty()) {
                runJson.put("mix_earlier", mixed.summary());
            }
            runJson.put("run", run);
            runJson.put("model", model);
            runJson.put("train", tc);
            runJson.put("shard_tokens", shardTokens);
            runJson.put("validation_tokens", valStream.length);
            storage.writeString(Storage.child(o.run.output, "run.json"), Json.write(runJson));

            DistributedTrainer<int[]> trainer = DistributedTrainer.pretraining(
                    JavaSparkContext.fromSparkContext(spark.sparkContext()),
                    storage, run, GptModel.factory(model, tc, o.run.seed), shards, shardTokens, valStream, o.run.output,
                    System.out);
            if (initModel != null) {
                float[] state = null;
                if (initOptimizer) {
                    if (initModel.optimizerState() == null) {
                        throw new UsageException("--init-optimizer: " + init + " holds no optimizer state");
                    }
                    float[] mv = initModel.optimizerState();
                    state = java.util.Arrays.copyOf(mv, mv.length + 1);
                    state[mv.length] = initModel.optimizerSteps();
                }
                trainer.initFrom(initModel.params(), state);
                System.out.printf("pretrain: continuing from %s (%,d parameters, %s)%n", init,
                        initModel.params().length, initOptimizer ? "its optimizer state" : "a fresh optimizer");
            }
            // the final model in the model module's checkpoint format, so its sampling/eval tools load it
            trainer.run(o.run.resume, (m, dir, s) -> {
                GPT gpt = ((GptModel) m).gpt();
                Checkpoint.of(gpt, tc, s.steps(), List.of(), s.bestValLoss() == null ? Double.MAX_VALUE
                                : s.bestValLoss(), 0, Map.of("data", o.data, "workers",
                                String.valueOf(o.round.workers), "trainer", "io.sparkgpt.trainer.PretrainJob"))
                        .save(storage, Storage.child(dir, MODEL_FILE));
                storage.markComplete(dir);
            });
            shards.unpersist(false);
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }

    /** The {@code --init} model: a model.ckpt, or a run folder holding model/model.ckpt. */
    private Checkpoint readInit(Storage storage) {
        String path = init.endsWith(".ckpt") ? init : Storage.child(Storage.child(init, "model"), MODEL_FILE);
        if (!storage.exists(path)) {
            throw new UsageException("--init " + init + ": no trained model at " + path);
        }
        return Checkpoint.load(storage, path);
    }

    /**
     * What this command line trains, for a run on data prepared elsewhere: a hyperparameter trial
     * ({@code io.sparkgpt.trainer.tune}) parses the job's own flags into this class and trains exactly this, with
     * one worker, so a trial equals the job. {@code --init} and {@code --engine dl4j-spark} are not trial material.
     */
    public record Recipe(RunConfig run, GPTConfig model, TrainConfig train, DataSpec data) {
    }

    /** Where this command line's data is and how it is read: the same for every trial of a search. */
    public record DataSpec(String data, int vocabSize, int chunkTokens, int valTokens) {
    }

    public DataSpec dataSpec() {
        return new DataSpec(o.data, o.shape.vocabSize, o.chunkTokens, o.valTokens);
    }

    /** The {@link Recipe} for a vocabulary of {@code vocab} tokens. */
    public Recipe recipe(int vocab) {
        if (init != null || !"own".equals(engine)) {
            throw new UsageException("--init and --engine are not supported in a hyperparameter trial");
        }
        o.resolveBatch();
        int micro = microBatch();
        RunConfig run = runConfig(o.rounds());
        o.requireWindowPerChunk();
        try {
            return new Recipe(run, o.shape.config(vocab), trainConfig(run, micro), dataSpec());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    private int microBatch() {
        if (gradAccum < 1 || (microBatch == 0 && o.opt.batchSize % gradAccum != 0)) {
            throw new UsageException("--batch-size " + o.opt.batchSize + " is not a multiple of --grad-accum "
                    + gradAccum);
        }
        return microBatch > 0 ? microBatch : o.opt.batchSize / gradAccum;
    }

    private TrainConfig trainConfig(RunConfig run, int micro) {
        return o.opt.trainConfig(TrainConfig.defaults().withSeed(o.run.seed), run.schedule().decaySteps(), micro);
    }

    private RunConfig runConfig(int rounds) {
        return o.round.runConfig(rounds, o.opt, o.shape.blockSize, o.evalWindows, outerOptimizer, outerLr,
                outerMomentum, o.run.seed);
    }

    /**
     * The model's vocabulary: {@code vocabSize} when given (> 0), else the size of the tokenizer's vocab.json inside
     * or beside the tokens folder {@code data}; never below the data's largest id + 1. Both engines use it.
     */
    public static int vocabulary(Storage storage, String data, int vocabSize, int maxId) {
        if (vocabSize > 0) {
            if (vocabSize <= maxId) {
                throw new UsageException("--vocab-size " + vocabSize + " but the data holds token id " + maxId);
            }
            return vocabSize;
        }
        int fromTokenizer = 0;
        String parent = data.replaceAll("/+$", "");
        int slash = parent.lastIndexOf('/');
        List<String> candidates = new ArrayList<>(List.of(Storage.child(data, "tokenizer/vocab.json")));
        if (slash > 0) {
            candidates.add(parent.substring(0, slash) + "/tokenizer/vocab.json");
        }
        for (String c : candidates) {
            if (storage.exists(c)) {
                try {
                    JsonNode n = Json.mapper().readTree(storage.readString(c));
                    fromTokenizer = n.size();
                } catch (IOException e) {
                    throw new UsageException("cannot read the tokenizer vocabulary " + c + ": " + e.getMessage(), e);
                }
                break;
            }
        }
        return Math.max(fromTokenizer, maxId + 1);
    }
}
