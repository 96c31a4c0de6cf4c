package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.trainer.DistributedTrainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * The Spark task of one trial: trains it on this executor core (continuing from its own checkpoint when a previous
 * rung or an interrupted search left one), then writes {@code trial.json} atomically. A trial that fails (a diverged
 * loss, a bad flag) is recorded as failed with its reason rather than failing the search.
 */
final class TrialTask implements FlatMapFunction<Iterator<TrialSpec>, TrialRecord> {
    static final String RECORD = "trial.json";

    private final HadoopConf conf;
    private final String output;

    TrialTask(HadoopConf conf, String output) {
        this.conf = conf;
        this.output = output;
    }

    static String dir(String output, String id) {
        return Storage.child(Storage.child(output, "trials"), id);
    }

    /** The complete record of trial {@code id}, or null. */
    static TrialRecord read(Storage storage, String output, String id) {
        String f = Storage.child(dir(output, id), RECORD);
        return storage.exists(f) ? Json.read(storage.readString(f), TrialRecord.class) : null;
    }

    @Override
    public Iterator<TrialRecord> call(Iterator<TrialSpec> specs) {
        Storage storage = conf.storage();
        List<TrialRecord> out = new java.util.ArrayList<>();
        while (specs.hasNext()) {
            out.add(run(storage, specs.next()));
        }
        return out.iterator();
    }

    private TrialRecord run(Storage storage, TrialSpec t) {
        String dir = dir(output, t.id());
        TrialRecord before = read(storage, output, t.id());
        double earlier = before == null ? 0 : before.seconds();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        TrialRecord rec;
        try (PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            try {
                TrialRun.Outcome o = t.run().run(storage, dir, log);
                DistributedTrainer.Summary s = o.summary();
                rec = new TrialRecord(t.id(), t.rung(), t.budget(), t.params(), "ok", s.stopMetric(),
                        s.bestValLoss() == null ? Double.NaN : s.bestValLoss(), s.steps(), earlier + s.seconds(),
                        s.lastMetrics() == null ? Map.of() : s.lastMetrics(), o.trainFigures());
            } catch (RuntimeException e) {
                e.printStackTrace(log);
                rec = new TrialRecord(t.id(), t.rung(), t.budget(), t.params(), "failed: " + e.getMessage(), "",
                        Double.NaN, 0, earlier + (System.nanoTime() - t0) / 1e9, Map.of(), Map.of());
            }
        }
        storage.writeAtomically(Storage.child(dir, "log.txt"), buf.toByteArray());
        storage.writeAtomically(Storage.child(dir, RECORD), Json.write(rec).getBytes(StandardCharsets.UTF_8));
        System.out.printf("trial %s: %s %s=%.4f after %d steps, %.1fs%n", t.id(), rec.status(), rec.metricName(),
                rec.metric(), rec.steps(), rec.seconds());
        return rec;
    }
}
