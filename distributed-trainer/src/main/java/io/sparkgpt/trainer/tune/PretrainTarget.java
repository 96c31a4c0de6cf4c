package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.trainer.DistributedTrainer;
import io.sparkgpt.trainer.GptModel;
import io.sparkgpt.trainer.ModelFactory;
import io.sparkgpt.trainer.PretrainJob;
import io.sparkgpt.trainer.RunConfig;
import io.sparkgpt.trainer.TokenShards;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Pretraining trials: the token Parquet is read once on the driver (one stream, as a one-worker run reads it) and
 * broadcast; each trial trains {@link PretrainJob#recipe} of its own flags on it.
 */
public final class PretrainTarget implements Target {
    private final Broadcast<int[]> train;
    private final Broadcast<int[]> val;
    private final long trainTokens;
    private final int vocab;
    private final PretrainJob.DataSpec data;

    /** Reads the data that {@code baseArgs} (the job's flags, with an --output) name. */
    public PretrainTarget(SparkSession spark, Storage storage, List<String> baseArgs) {
        data = Target.parse(new PretrainJob(), baseArgs).dataSpec();
        String trainDir = Storage.child(data.data(), "train");
        String valDir = Storage.child(data.data(), "val");
        storage.requireExists("training tokens", trainDir);
        JavaRDD<int[]> shards = TokenShards.build(spark, trainDir, 1, data.chunkTokens());
        long[] desc = TokenShards.describe(shards, 2, 1);
        int[] stream = shards.collect().get(0);
        shards.unpersist(false);
        int[] valStream = storage.exists(valDir) ? TokenShards.readValidation(spark, valDir, data.valTokens()) : new int[0];
        trainTokens = desc[0];
        vocab = PretrainJob.vocabulary(storage, data.data(), data.vocabSize(), (int) desc[1]);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        train = jsc.broadcast(stream);
        val = jsc.broadcast(valStream);
        System.out.printf("tune: %,d training tokens, %,d validation tokens, vocabulary %d%n", stream.length,
                valStream.length, vocab);
    }

    @Override
    public String budgetOption() {
        return "max-steps";
    }

    @Override
    public List<String> horizonArgs(long maxBudget, List<String> args) {
        return List.of("--decay-steps", String.valueOf(maxBudget));
    }

    @Override
    public TrialRun trial(List<String> args) {
        PretrainJob.Recipe r = Target.parse(new PretrainJob(), args).recipe(vocab);
        if (!r.data().equals(data)) {
            throw new io.sparkgpt.common.cli.UsageException("a trial's data options differ from the search's: "
                    + r.data() + " vs " + data + " (search the model and schedule, not the data)");
        }
        return new Trial(r.run(), GptModel.factory(r.model(), r.train(), r.run().seed()), train, val, trainTokens);
    }

    private record Trial(RunConfig run, ModelFactory factory, Broadcast<int[]> train, Broadcast<int[]> val,
                         long trainTokens) implements TrialRun {
        @Override
        public Outcome run(Storage storage, String dir, java.io.PrintStream log) {
            DistributedTrainer.Summary s = DistributedTrainer.inProcess(storage, run, factory, train.value(),
                    trainTokens, DistributedTrainer.pretrainingJob(run, val.value()), dir, log).run(true, null);
            return new Outcome(s, java.util.Map.of());
        }
    }
}
