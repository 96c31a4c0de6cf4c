package io.sparkgpt.trainer.distill;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.GPTConfig;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.trainer.DistributedTrainer;
import io.sparkgpt.trainer.GptModel;
import io.sparkgpt.trainer.OuterOptimizer;
import io.sparkgpt.trainer.PretrainJob;
import io.sparkgpt.trainer.PretrainOptions;
import io.sparkgpt.trainer.RunConfig;
import io.sparkgpt.trainer.StopRule;
import io.sparkgpt.trainer.TokenShards;
import io.sparkgpt.trainer.TokenWindowValidation;
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
 * {@code spark-submit --class io.sparkgpt.trainer.distill.DistillJob distributed-trainer-job.jar --teacher <ckpt>
 * --data <tokens> --output <run> [pretraining options]}: trains a student GPT (shape from the usual --n-layer/--n-head/
 * --n-embd options, vocabulary and context from the teacher) on the teacher's logits (KL at a temperature, times
 * tau^2, plus alpha times cross-entropy: {@link io.sparkgpt.model.compress.DistillationLoss}) by the same parameter
 * averaging as pretraining: same shards, windows, schedule, validation (cross-entropy on val/), checkpoints, resume,
 * metrics and loss chart. With the same options and seed, {@code pretrain.sh} trains the from-scratch peer on the
 * very same token windows from the very same initial parameters.
 */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Knowledge distillation of a GPT teacher into a smaller student by parameter averaging on Spark.")
public final class DistillJob implements Callable<Integer> {
    @Option(names = "--teacher", required = true, description = "the teacher's checkpoint (model.ckpt of a run)")
    String teacher;
    @Option(names = "--temperature", defaultValue = "2.0", description = "softmax temperature tau of the soft term "
            + "(default: ${DEFAULT-VALUE})")
    double temperature;
    @Option(names = "--kd-weight", defaultValue = "1.0", description = "weight of tau^2 * KL(teacher || student) "
            + "(default: ${DEFAULT-VALUE})")
    double kdWeight;
    @Option(names = "--alpha", defaultValue = "0.5", description = "weight of the cross-entropy on the data "
            + "(default: ${DEFAULT-VALUE})")
    double alpha;
    @Mixin
    PretrainOptions o = new PretrainOptions();

    public static void main(String[] args) {
        Cli.main(new DistillJob(), args);
    }

    @Override
    public Integer call() {
        o.resolveBatch();
        if (!(temperature > 0) || kdWeight < 0 || alpha < 0 || kdWeight + alpha == 0) {
            throw new UsageException("--temperature must be > 0 and --kd-weight/--alpha >= 0, not both 0");
        }
        int rounds = o.rounds();
        RunConfig run = o.round.runConfig(rounds, o.opt, o.shape.blockSize, o.evalWindows, OuterOptimizer.Kind.NONE,
                0.7, 0.9, o.run.seed);
        o.requireWindowPerChunk();
        SparkSession spark = Sessions.getOrCreate("sparkgpt-distill");
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            storage.requireExists("teacher checkpoint", teacher);
            Checkpoint tck;
            try {
                tck = Checkpoint.load(storage, teacher);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            String train = Storage.child(o.data, "train");
            String val = Storage.child(o.data, "val");
            storage.requireExists("training tokens", train);
            o.run.prepareOutput(storage);

            JavaRDD<int[]> shards = TokenShards.build(spark, train, o.round.workers, o.chunkTokens);
            long[] desc = TokenShards.describe(shards, o.shape.blockSize + 1, o.round.workers);
            List<Long> shardTokens = new ArrayList<>();
            for (int k = 0; k < o.round.workers; k++) {
                shardTokens.add(desc[k]);
            }
            int maxId = (int) desc[o.round.workers];
            GPTConfig tc0 = tck.config();
            if (maxId >= tc0.vocabSize()) {
                throw new UsageException("the data holds token id " + maxId + " but the teacher " + teacher
                        + " has a vocabulary of " + tc0.vocabSize());
            }
            if (o.shape.blockSize > tc0.blockSize()) {
                throw new UsageException("--block-size " + o.shape.blockSize + " exceeds the teacher's context "
                        + tc0.blockSize());
            }
            int[] valStream = storage.exists(val) ? TokenShards.readValidation(spark, val, o.valTokens) : new int[0];
            GPTConfig student = o.shape.config(tc0.vocabSize());
            TrainConfig tc = o.opt.trainConfig(TrainConfig.defaults().withSeed(o.run.seed), run.schedule().decaySteps(),
                    o.opt.batchSize);
            System.out.printf("distill: teacher %s (%,d parameters) -> student %s (%,d parameters); %d workers, shards "
                    + "%s tokens, %,d validation tokens; tau %.2f, kd weight %.2f, alpha %.2f%n", tc0,
                    tck.params().length, student, GPT.countParams(student), o.round.workers, shardTokens, valStream.length,
                    temperature, kdWeight, alpha);
            Map<String, Object> runJson = new LinkedHashMap<>();
            runJson.put("job", "distill");
            runJson.put("teacher", teacher);
            runJson.put("teacher_model", tc0);
            runJson.put("temperature", temperature);
            runJson.put("kd_weight", kdWeight);
            runJson.put("alpha", alpha);
            runJson.put("data", o.data);
            runJson.put("run", run);
            runJson.put("model", student);
            runJson.put("train", tc);
            runJson.put("shard_tokens", shardTokens);
            storage.writeString(Storage.child(o.run.output, "run.json"), Json.write(runJson));

            DistributedTrainer.Job<int[]> job = new DistributedTrainer.Job<>("sparkgpt distillation",
                    new DistillTrainer(tc0, tck.params(), tc, temperature, kdWeight, alpha),
                    new TokenWindowValidation(valStream, o.shape.blockSize, o.evalWindows, o.opt.batchSize),
                    StopRule.loss(o.round.patience));
            DistributedTrainer<int[]> trainer = new DistributedTrainer<>(
                    JavaSparkContext.fromSparkContext(spark.sparkContext()), storage, run,
                    GptModel.factory(student, tc, o.run.seed), shards, shardTokens, job, o.run.output, System.out);
            final TrainConfig tcf = tc;
            trainer.run(o.run.resume, (m, dir, s) -> {
                GPT gpt = ((GptModel) m).gpt();
                Checkpoint.of(gpt, tcf, s.steps(), List.of(), s.bestValLoss() == null ? Double.MAX_VALUE
                                : s.bestValLoss(), 0, Map.of("data", o.data, "teacher", teacher, "workers",
                                String.valueOf(o.round.workers), "trainer", DistillJob.class.getName()))
                        .save(storage, Storage.child(dir, PretrainJob.MODEL_FILE));
                storage.markComplete(dir);
            });
            shards.unpersist(false);
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }
}
