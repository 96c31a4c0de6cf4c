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

    @Option(names = "--data", required = true, description = "tokens folder holding train/ and val/ (local or s3a://)")
    String data;
    @Option(names = "--output", required = true, description = "run folder: checkpoints, metrics.jsonl, loss.png, model")
    String output;

    @Option(names = "--n-layer", defaultValue = "2", description = "transformer blocks (default: ${DEFAULT-VALUE})")
    int nLayer;
    @Option(names = "--n-head", defaultValue = "2", description = "attention heads (default: ${DEFAULT-VALUE})")
    int nHead;
    @Option(names = "--n-embd", defaultValue = "64", description = "embedding width (default: ${DEFAULT-VALUE})")
    int nEmbd;
    @Option(names = "--block-size", defaultValue = "64", description = "context length (default: ${DEFAULT-VALUE})")
    int blockSize;
    @Option(names = "--vocab-size", defaultValue = "0",
            description = "0 = the tokenizer folder's vocabulary or the data's largest id + 1 (default: ${DEFAULT-VALUE})")
    int vocabSize;
    @Option(names = "--dropout", defaultValue = "0", description = "dropout probability (default: ${DEFAULT-VALUE})")
    double dropout;

    @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--min-lr", defaultValue = "1e-4", description = "cosine floor (default: ${DEFAULT-VALUE})")
    double minLr;
    @Option(names = "--warmup", defaultValue = "20", description = "warmup steps (default: ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--max-rounds", defaultValue = "20", description = "rounds to run (default: ${DEFAULT-VALUE})")
    int maxRounds;
    @Option(names = "--max-steps", defaultValue = "0",
            description = "if > 0: rounds = ceil(max-steps / local-steps), overriding --max-rounds (default: ${DEFAULT-VALUE})")
    int maxSteps;
    @Option(names = "--decay-steps", defaultValue = "0",
            description = "cosine horizon in steps; 0 = rounds x local-steps (default: ${DEFAULT-VALUE})")
    int decaySteps;
    @Option(names = "--local-steps", defaultValue = "10",
            description = "optimizer steps per worker between averagings (default: ${DEFAULT-VALUE})")
    int localSteps;
    @Option(names = "--batch-size", defaultValue = "8",
            description = "sequences per optimizer step per worker (default: ${DEFAULT-VALUE})")
    int batchSize;
    @Option(names = "--micro-batch", defaultValue = "0",
            description = "sequences per forward/backward; 0 = batch-size / grad-accum (default: ${DEFAULT-VALUE})")
    int microBatch;
    @Option(names = "--grad-accum", defaultValue = "1", description = "micro-batches per step (default: ${DEFAULT-VALUE})")
    int gradAccum;
    @Option(names = "--grad-clip", defaultValue = "1.0", description = "global-norm clip, 0 = off (default: ${DEFAULT-VALUE})")
    double gradClip;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW decay (default: ${DEFAULT-VALUE})")
    double weightDecay;
    @Option(names = "--beta2", defaultValue = "0.99", description = "AdamW beta2 (default: ${DEFAULT-VALUE})")
    double beta2;

    @Option(names = "--workers", defaultValue = "2", description = "data shards = parallel tasks per round (default: ${DEFAULT-VALUE})")
    int workers;
    @Option(names = "--eval-every", defaultValue = "1",
            description = "validation every N rounds (and at the end); 0 = only at the end (default: ${DEFAULT-VALUE})")
    int evalEvery;
    @Option(names = "--eval-windows", defaultValue = "64", description = "validation windows (default: ${DEFAULT-VALUE})")
    int evalWindows;
    @Option(names = "--patience", defaultValue = "0",
            description = "stop after N evaluations without improvement; 0 = never (default: ${DEFAULT-VALUE})")
    int patience;
    @Option(names = "--checkpoint-every", defaultValue = "5",
            description = "checkpoint every N rounds (and at the end) (default: ${DEFAULT-VALUE})")
    int checkpointEvery;
    @Option(names = "--keep-checkpoints", defaultValue = "2", description = "complete checkpoints kept (default: ${DEFAULT-VALUE})")
    int keepCheckpoints;
    @Option(names = "--resume", description = "continue from the last complete checkpoint under --output")
    boolean resume;
    @Option(names = "--overwrite", description = "delete --output first")
    boolean overwrite;
    @Option(names = "--outer-optimizer", defaultValue = "none",
            description = "none (plain averaging) or nesterov (DiLoCo) (default: ${DEFAULT-VALUE})")
    OuterOptimizer.Kind outerOptimizer;
    @Option(names = "--outer-lr", defaultValue = "0.7", description = "outer learning rate (default: ${DEFAULT-VALUE})")
    double outerLr;
    @Option(names = "--outer-momentum", defaultValue = "0.9", description = "outer Nesterov momentum (default: ${DEFAULT-VALUE})")
    double outerMomentum;
    @Option(names = "--seed", defaultValue = "1337", description = "run seed (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--chunk-tokens", defaultValue = "4096",
            description = "documents are cut into chunks of this many tokens, dealt round-robin to workers (default: ${DEFAULT-VALUE})")
    int chunkTokens;
    @Option(names = "--val-tokens", defaultValue = "1048576",
            description = "validation tokens read to the driver at most (default: ${DEFAULT-VALUE})")
    int valTokens;
    @Option(names = "--tree-depth", defaultValue = "2", description = "treeAggregate depth (default: ${DEFAULT-VALUE})")
    int treeDepth;

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
        if (resume && overwrite) {
            throw new UsageException("--resume and --overwrite exclude each other");
        }
        int rounds = maxSteps > 0 ? (maxSteps + localSteps - 1) / Math.max(1, localSteps) : maxRounds;
        if (gradAccum < 1 || (microBatch == 0 && batchSize % gradAccum != 0)) {
            throw new UsageException("--batch-size " + batchSize + " is not a multiple of --grad-accum " + gradAccum);
        }
        int micro = microBatch > 0 ? microBatch : batchSize / gradAccum;
        if (micro < 1 || batchSize % micro != 0) {
            throw new UsageException("--batch-size " + batchSize + " is not a multiple of --micro-batch " + micro);
        }
        RunConfig run = new RunConfig(workers, rounds, localSteps, batchSize, blockSize, lr, minLr, warmup,
                decaySteps > 0 ? decaySteps : rounds * localSteps, evalEvery, evalWindows, patience,
                checkpointEvery, keepCheckpoints, outerOptimizer, outerLr, outerMomentum, seed, treeDepth);
        if (chunkTokens < blockSize + 1) {
            throw new UsageException("--chunk-tokens " + chunkTokens + " must be at least --block-size + 1");
        }

        SparkSession spark = Sessions.getOrCreate("sparkgpt-pretrain");
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            String train = Storage.child(data, "train");
            String val = Storage.child(data, "val");
            storage.requireExists("training tokens", train);
            prepareOutput(storage);

            JavaRDD<int[]> shards = TokenShards.build(spark, train, workers, chunkTokens);
            long[] desc = TokenShards.describe(shards, blockSize + 1, workers);
            List<Long> shardTokens = new ArrayList<>();
            for (int k = 0; k < workers; k++) {
                shardTokens.add(desc[k]);
            }
            int maxId = (int) desc[workers];
            int vocab = vocabulary(storage, maxId);
            int[] valStream = storage.exists(val) ? TokenShards.readValidation(spark, val, valTokens) : new int[0];
            System.out.printf("pretrain: %d workers, shards %s tokens, %,d validation tokens, vocabulary %d%n",
                    workers, shardTokens, valStream.length, vocab);

            GPTConfig model;
            TrainConfig tc;
            try {
                model = new GPTConfig(vocab, blockSize, nLayer, nHead, nEmbd, dropout, false, true);
                tc = TrainConfig.defaults().withLearningRate(lr).withMinLr(minLr).withWarmupSteps(warmup)
                        .withMaxSteps(run.decaySteps()).withWeightDecay(weightDecay).withBetas(0.9, beta2)
                        .withGradClip(gradClip).withBatch(micro, batchSize / micro).withSeed(seed);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            Map<String, Object> runJson = new LinkedHashMap<>();
            runJson.put("data", data);
            runJson.put("run", run);
            runJson.put("model", model);
            runJson.put("train", tc);
            runJson.put("shard_tokens", shardTokens);
            runJson.put("validation_tokens", valStream.length);
            storage.writeString(Storage.child(output, "run.json"), Json.write(runJson));

            DistributedTrainer trainer = new DistributedTrainer(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                    storage, run, GptModel.factory(model, tc, seed), shards, shardTokens, valStream, output,
                    System.out);
            // the final model in the model module's checkpoint format, so its sampling/eval tools load it
            trainer.run(resume, (m, dir, s) -> {
                GPT gpt = ((GptModel) m).gpt();
                Checkpoint.of(gpt, tc, s.steps(), List.of(), s.bestValLoss() == null ? Double.MAX_VALUE
                                : s.bestValLoss(), 0, Map.of("data", data, "workers", String.valueOf(workers),
                                "trainer", "io.sparkgpt.trainer.PretrainJob"))
                        .save(storage, Storage.child(dir, MODEL_FILE));
                storage.markComplete(dir);
            });
            shards.unpersist(false);
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }

    private void prepareOutput(Storage storage) {
        if (overwrite) {
            storage.delete(output);
        } else if (!resume && (storage.exists(Storage.child(output, "checkpoints"))
                || storage.exists(Storage.child(output, "metrics.jsonl")))) {
            throw new UsageException("output " + output + " already holds a run: use --resume to continue it or "
                    + "--overwrite to start over");
        }
        storage.requireWritable(output);
        storage.delete(Storage.child(output, Storage.SUCCESS));
    }

    private int vocabulary(Storage storage, int maxId) {
        return vocabulary(storage, data, vocabSize, maxId);
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
