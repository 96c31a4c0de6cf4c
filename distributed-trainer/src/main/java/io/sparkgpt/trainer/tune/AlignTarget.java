package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.trainer.DistributedTrainer;
import io.sparkgpt.trainer.align.AlignJob;
import io.sparkgpt.trainer.align.AlignPlan;
import io.sparkgpt.trainer.align.DpoJob;
import io.sparkgpt.trainer.align.PpoJob;
import io.sparkgpt.trainer.align.RewardJob;
import io.sparkgpt.trainer.align.ShardMap;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Trials of the alignment jobs ({@code train-reward}, {@code dpo}, {@code ppo}): the trial's task parses the job's
 * flags into the job and trains its {@link AlignJob#plan} (the job's own reading, reference, local work and
 * validation) with one worker. The metric is the job's early-stopping figure: held-out pairwise accuracy (reward),
 * held-out implicit-reward accuracy (DPO), held-out mean reward (PPO), all maximised, or what
 * {@code --early-stop-metric} names.
 */
public final class AlignTarget implements Target {
    /** The job names {@code --job} takes for these jobs. */
    public static final List<String> JOBS = List.of("train-reward", "dpo", "ppo");

    private final String job;

    AlignTarget(String job) {
        command(job);
        this.job = job;
    }

    static AlignJob command(String job) {
        return switch (job) {
            case "train-reward" -> new RewardJob();
            case "dpo" -> new DpoJob();
            case "ppo" -> new PpoJob();
            default -> throw new UsageException("--job " + job + ": not an alignment job (" + JOBS + ")");
        };
    }

    @Override
    public String budgetOption() {
        return "max-rounds";
    }

    @Override
    public List<String> horizonArgs(long maxBudget, List<String> args) {
        return Target.roundsHorizon(Target.parse(command(job), args), maxBudget);
    }

    @Override
    public TrialRun trial(List<String> args) {
        Target.parse(command(job), args); // flags checked on the driver; the task parses them again
        return new Trial(job, List.copyOf(args));
    }

    private record Trial(String job, List<String> args) implements TrialRun {
        @Override
        public Outcome run(Storage storage, String dir, PrintStream log) {
            try (AlignPlan<?> p = Target.parse(command(job), args).plan(storage, ShardMap.here())) {
                p.report(storage, log);
                return new Outcome(train(storage, p, dir, log), Map.of());
            }
        }

        private static <S> DistributedTrainer.Summary train(Storage storage, AlignPlan<S> p, String dir,
                                                            PrintStream log) {
            return DistributedTrainer.inProcess(storage, p.run(), p.factory(), p.shards().get(0),
                    p.shardSizes().get(0), p.job(), dir, log).run(true, p.finalModel());
        }
    }
}
