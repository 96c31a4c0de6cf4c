package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.spark.Sessions;
import io.sparkgpt.trainer.StopRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code tune.sh --job pretrain --space space.json --output <dir> [--strategy grid|random|halving] <the job's
 * flags>}: a hyperparameter search whose trials are Spark tasks, each training the job's command line with the
 * trial's values on one executor core ({@code trials/<id>/}: checkpoints, metrics.jsonl, loss.png, trial.json); then
 * trials.parquet, a table, tune.png and best.json (a {@code --config} file of the winner). {@code --folds k} instead
 * trains k models of an SFT command line, each holding out one fold of its --train examples, and reports the mean and
 * spread of every figure on the training and held-out sides (folds.json). Re-running continues: finished trials are
 * not re-run.
 */
@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Hyperparameter search (grid, random, successive halving) or k-fold cross-validation of a "
                + "training job, trials in parallel as Spark tasks. Every other flag is the job's (its --output and "
                + "--workers are set per trial).")
public final class TuneJob implements Callable<Integer> {
    @Option(names = "--job", required = true, description = "pretrain, sft, train-reward, dpo or ppo")
    String job;
    @Option(names = "--output", required = true, description = "search folder: trials/<id>/, trials.parquet, "
            + "tune.png, best.json (or folds.json)")
    String output;
    @Option(names = "--space", description = "search space JSON (option name -> log_uniform/uniform/int/choice)")
    String space;
    @Option(names = "--strategy", defaultValue = "grid", description = "grid, random or halving (default: ${DEFAULT-VALUE})")
    String strategy;
    @Option(names = "--trials", defaultValue = "8",
            description = "random draws (random, and halving from random) (default: ${DEFAULT-VALUE})")
    int trials;
    @Option(names = "--candidates", defaultValue = "random",
            description = "halving's first rung: random draws or the grid (default: ${DEFAULT-VALUE})")
    String candidates;
    @Option(names = "--eta", defaultValue = "3", description = "halving: keep 1/eta per rung, eta x budget (default: ${DEFAULT-VALUE})")
    int eta;
    @Option(names = "--min-budget", defaultValue = "0",
            description = "halving: first rung's budget in the job's --max-steps (pretrain) or --max-rounds (the "
                    + "others)")
    long minBudget;
    @Option(names = "--max-budget", defaultValue = "0", description = "halving: the last rung's budget")
    long maxBudget;
    @Option(names = "--search-seed", defaultValue = "1", description = "random draws' seed (the job's own --seed "
            + "seeds every trial's training) (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--baseline", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also run the job's own flags unchanged as trial 'base'; --no-baseline: not (default: ${DEFAULT-VALUE})")
    boolean baseline;
    @Option(names = "--folds", defaultValue = "0", description = "k-fold cross-validation instead of a search (sft)")
    int folds;
    @Option(names = "--overwrite", description = "delete --output first")
    boolean overwrite;
    /** Every flag that is not the tuner's is the job's (spark-submit scripts keep a lone -- for themselves). */
    @Unmatched
    List<String> jobArgs = new ArrayList<>();

    public static void main(String[] args) {
        Cli.main(new TuneJob(), args);
    }

    @Override
    public Integer call() {
        if (folds == 0 && space == null) {
            throw new UsageException("--space is required (or --folds k)");
        }
        if (folds == 1 || folds < 0) {
            throw new UsageException("--folds " + folds + " must be >= 2");
        }
        SparkSession spark = Sessions.getOrCreate("sparkgpt-tune");
        try {
            Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
            if (overwrite) {
                storage.delete(output);
            }
            storage.requireWritable(output);
            storage.delete(Storage.child(output, Storage.SUCCESS));
            List<String> base = new ArrayList<>(jobArgs);
            base.addAll(List.of("--output", Storage.child(output, "unused"), "--workers", "1"));
            Target target = switch (job) {
                case "pretrain" -> new PretrainTarget(spark, storage, base);
                case "sft" -> new SftTarget();
                case "train-reward", "dpo", "ppo" -> new AlignTarget(job);
                default -> throw new UsageException("--job " + job + ": expected pretrain, sft, train-reward, dpo or "
                        + "ppo");
            };
            Trials runner = new Trials(JavaSparkContext.fromSparkContext(spark.sparkContext()), storage, output);
            TuneReport report = new TuneReport(spark, storage, output);
            if (folds > 0) {
                report.folds(runner.run(foldSpecs(target), "folds"), folds);
            } else {
                SearchSpace sp = SearchSpace.parse(storage.readString(requireSpace(storage)), space);
                List<TrialRecord> all = search(target, sp, runner);
                report.search(all, target.budgetOption(), strategy);
            }
            storage.markComplete(output);
            return Cli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }

    private String requireSpace(Storage storage) {
        storage.requireExists("--space file", space);
        return space;
    }

    private List<TrialSpec> foldSpecs(Target target) {
        List<TrialSpec> out = new ArrayList<>();
        for (int i = 0; i < folds; i++) {
            String id = String.format("fold-%02d", i);
            out.add(new TrialSpec(id, 0, 0, Map.of("fold", i + "/" + folds),
                    target.fold(trialArgs(id, Map.of()), new Fold(folds, i))));
        }
        return out;
    }

    /** The trials' parameter sets, then one Spark job per rung (one rung unless halving). */
    private List<TrialRecord> search(Target target, SearchSpace sp, Trials runner) {
        List<Map<String, Object>> sets = switch (strategy) {
            case "grid" -> Strategies.grid(sp);
            case "random" -> Strategies.random(sp, trials, seed);
            case "halving" -> switch (candidates) {
                case "grid" -> Strategies.grid(sp);
                case "random" -> Strategies.random(sp, trials, seed);
                default -> throw new UsageException("--candidates " + candidates + ": expected grid or random");
            };
            default -> throw new UsageException("--strategy " + strategy + ": expected grid, random or halving");
        };
        Map<String, Map<String, String>> params = new LinkedHashMap<>();
        if (baseline) {
            params.put("base", Map.of());
        }
        for (int i = 0; i < sets.size(); i++) {
            Map<String, String> p = new LinkedHashMap<>();
            sets.get(i).forEach((k, v) -> p.put(k, String.valueOf(v)));
            params.put(String.format("t%03d", i), p);
        }
        if (!strategy.equals("halving")) {
            List<TrialSpec> specs = new ArrayList<>();
            params.forEach((id, p) -> specs.add(new TrialSpec(id, 0, 0, p, trial(target, trialArgs(id, p)))));
            return runner.run(specs, "trials");
        }
        Halving h = new Halving(minBudget, maxBudget, eta);
        String budget = target.budgetOption();
        // every rung on the schedule of the largest budget, so a continued trial is one run cut in pieces
        List<String> horizon = target.horizonArgs(maxBudget, trialArgs("horizon", Map.of()));
        Map<String, TrialRecord> latest = new LinkedHashMap<>();
        List<String> alive = new ArrayList<>(params.keySet());
        List<Long> budgets = h.budgets();
        StopRule direction = null;
        for (int r = 0; r < budgets.size() && !alive.isEmpty(); r++) {
            long b = budgets.get(r);
            List<TrialSpec> specs = new ArrayList<>();
            for (String id : alive) {
                Map<String, String> p = new LinkedHashMap<>(params.get(id));
                p.put(budget, String.valueOf(b));
                List<String> a = new ArrayList<>(horizon);
                a.addAll(trialArgs(id, p));
                specs.add(new TrialSpec(id, r, b, params.get(id), trial(target, a)));
            }
            List<Halving.Result> results = new ArrayList<>();
            for (TrialRecord t : runner.run(specs, "rung " + r + " (" + budget + " " + b + ")")) {
                latest.put(t.id(), t);
                results.add(new Halving.Result(t.id(), t.metric()));
                if (t.ok()) {
                    direction = StopRule.parse(t.metricName(), 0);
                }
            }
            if (r + 1 < budgets.size()) {
                alive = h.promote(results, direction == null || !direction.higherIsBetter());
            }
        }
        return new ArrayList<>(latest.values());
    }

    /**
     * The trial of a command line; values the job refuses (a width the heads do not divide, say) make a trial that
     * fails with the job's message, recorded as such, instead of stopping the search.
     */
    private static TrialRun trial(Target target, List<String> args) {
        try {
            return target.trial(args);
        } catch (UsageException e) {
            String reason = e.getMessage();
            return (storage, dir, log) -> {
                throw new UsageException(reason);
            };
        }
    }

    /** The job's flags, then the trial's folder and one worker, then the trial's values (the last flag wins). */
    private List<String> trialArgs(String id, Map<String, String> p) {
        List<String> a = new ArrayList<>(jobArgs);
        a.addAll(List.of("--output", TrialTask.dir(output, id), "--workers", "1"));
        p.forEach((k, v) -> {
            a.add("--" + k);
            a.add(v);
        });
        return a;
    }
}
