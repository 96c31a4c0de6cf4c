package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs trials as one Spark job, one task per trial (so they spread over all executor cores), skipping those whose
 * complete record already reaches the asked budget: an interrupted search re-run does only what is left.
 */
final class Trials {
    private final JavaSparkContext sc;
    private final Storage storage;
    private final String output;

    Trials(JavaSparkContext sc, Storage storage, String output) {
        this.sc = sc;
        this.storage = storage;
        this.output = output;
    }

    /** The records of {@code specs}, in their order. */
    List<TrialRecord> run(List<TrialSpec> specs, String what) {
        Map<String, TrialRecord> done = new LinkedHashMap<>();
        List<TrialSpec> todo = new ArrayList<>();
        for (TrialSpec t : specs) {
            TrialRecord r = TrialTask.read(storage, output, t.id());
            if (r != null && !r.params().equals(t.params())) {
                throw new UsageException(TrialTask.dir(output, t.id()) + " holds a trial of other parameters ("
                        + r.params() + ", now " + t.params() + "): another search; use --overwrite or another --output");
            }
            if (r != null && r.budget() >= t.budget() && r.rung() >= t.rung()) {
                done.put(t.id(), r);
            } else {
                todo.add(t);
            }
        }
        System.out.printf("tune: %s: %d trials to run, %d already complete%n", what, todo.size(), done.size());
        if (!todo.isEmpty()) {
            sc.setJobDescription("tune " + what);
            for (TrialRecord r : sc.parallelize(todo, todo.size())
                    .mapPartitions(new TrialTask(new HadoopConf(sc.hadoopConfiguration()), output)).collect()) {
                done.put(r.id(), r);
            }
        }
        return specs.stream().map(t -> done.get(t.id())).toList();
    }
}
