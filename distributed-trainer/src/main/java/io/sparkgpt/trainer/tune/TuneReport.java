package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.trainer.StopRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** What a search leaves: trials.parquet, the table on stdout, tune.png, best.json; for folds, folds.json. */
final class TuneReport {
    static final String BEST = "best.json";
    static final String FOLDS = "folds.json";

    private final SparkSession spark;
    private final Storage storage;
    private final String output;

    TuneReport(SparkSession spark, Storage storage, String output) {
        this.spark = spark;
        this.storage = storage;
        this.output = output;
    }

    void search(List<TrialRecord> all, String budgetOption, String strategy) {
        List<TrialRecord> ok = all.stream().filter(TrialRecord::ok).toList();
        if (ok.isEmpty()) {
            throw new UsageException("every trial failed; see " + Storage.child(output, "trials") + "/*/log.txt: "
                    + all.stream().map(TrialRecord::status).distinct().toList());
        }
        StopRule rule = StopRule.parse(ok.get(0).metricName(), 0);
        Comparator<TrialRecord> best = Comparator.comparingDouble(TrialRecord::metric);
        if (rule.higherIsBetter()) {
            best = best.reversed();
        }
        // best first, failed ones last
        List<TrialRecord> sorted = new ArrayList<>(ok);
        sorted.sort(best.thenComparing(TrialRecord::id));
        List<TrialRecord> table = new ArrayList<>(sorted);
        all.stream().filter(t -> !t.ok()).forEach(table::add);
        // the winner among the trials that ran the longest (halving: the last rung), the others compete unequally
        int topRung = ok.stream().mapToInt(TrialRecord::rung).max().orElse(0);
        TrialRecord winner = sorted.stream().filter(t -> t.rung() == topRung).findFirst().orElseThrow();
        writeParquet(all);
        System.out.print(table(table, rule.metric()));
        storage.writeAtomically(Storage.child(output, "tune.png"), TuneChart.png(ok, rule.metric(),
                "tune (" + strategy + "): best " + rule.metric() + " per trial"));
        Map<String, Object> bestJson = new LinkedHashMap<>();
        winner.params().forEach((k, v) -> bestJson.put(k, value(v)));
        if (winner.budget() > 0) {
            bestJson.put(budgetOption, winner.budget());
        }
        storage.writeString(Storage.child(output, BEST), Json.write(bestJson));
        long steps = all.stream().mapToLong(TrialRecord::steps).sum();
        double seconds = all.stream().mapToDouble(TrialRecord::seconds).sum();
        System.out.printf("tune: %d trials (%d failed), %,d optimizer steps in all, %.0f trial-seconds; best %s %s=%.4f "
                        + "%s -> %s%n", all.size(), all.size() - ok.size(), steps, seconds, winner.id(),
                rule.metric(), winner.metric(), winner.params(), Storage.child(output, BEST));
    }

    /** A value as JSON wants it: a number when it is one (best.json feeds --config), else the string. */
    static Object value(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e2) {
                return "true".equals(v) || "false".equals(v) ? (Object) Boolean.parseBoolean(v) : v;
            }
        }
    }

    static String table(List<TrialRecord> rows, String metric) {
        TreeSet<String> names = new TreeSet<>();
        rows.forEach(r -> names.addAll(r.params().keySet()));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-9s %4s %8s", "trial", "rung", "budget"));
        names.forEach(n -> sb.append(String.format(" %12s", n)));
        sb.append(String.format(" %10s %8s %9s  %s%n", metric, "steps", "seconds", "status"));
        for (TrialRecord r : rows) {
            sb.append(String.format("%-9s %4d %8s", r.id(), r.rung(), r.budget() > 0 ? r.budget() : "-"));
            names.forEach(n -> sb.append(String.format(" %12s", r.params().getOrDefault(n, "(job's)"))));
            sb.append(String.format(" %10.4f %8d %9.1f  %s%n", r.metric(), r.steps(), r.seconds(), r.status()));
        }
        return sb.toString();
    }

    private void writeParquet(List<TrialRecord> all) {
        StructType schema = new StructType()
                .add("id", DataTypes.StringType, false)
                .add("rung", DataTypes.IntegerType, false)
                .add("budget", DataTypes.LongType, false)
                .add("params", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), false)
                .add("status", DataTypes.StringType, false)
                .add("metric_name", DataTypes.StringType, false)
                .add("best_metric", DataTypes.DoubleType, false)
                .add("steps", DataTypes.LongType, false)
                .add("seconds", DataTypes.DoubleType, false)
                .add("figures", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), false);
        List<Row> rows = new ArrayList<>();
        for (TrialRecord t : all) {
            Map<String, Double> figs = new TreeMap<>(t.figures());
            figs.putAll(t.foldFigures());
            rows.add(RowFactory.create(t.id(), t.rung(), t.budget(), scala(t.params()), t.status(), t.metricName(),
                    t.metric(), t.steps(), t.seconds(), scala(figs)));
        }
        spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite)
                .parquet(Storage.child(output, "trials.parquet"));
    }

    private static <K, V> scala.collection.Map<K, V> scala(Map<K, V> m) {
        return scala.collection.JavaConverters.mapAsScalaMap(new LinkedHashMap<>(m));
    }

    /** Mean and spread (sample standard deviation) of every fold figure, and the train - held-out gap. */
    void folds(List<TrialRecord> folds, int k) {
        List<TrialRecord> ok = folds.stream().filter(TrialRecord::ok).toList();
        if (ok.size() != folds.size()) {
            throw new UsageException("folds failed: " + folds.stream().filter(t -> !t.ok())
                    .map(t -> t.id() + ": " + t.status()).toList());
        }
        Map<String, List<Double>> values = new TreeMap<>();
        for (TrialRecord t : ok) {
            t.foldFigures().forEach((n, v) -> values.computeIfAbsent(n, x -> new ArrayList<>()).add(v));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        values.forEach((n, vs) -> {
            double mean = vs.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).average()
                    .orElse(Double.NaN);
            double var = vs.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite)
                    .map(v -> (v - mean) * (v - mean)).sum() / Math.max(1, vs.size() - 1);
            summary.put(n, Map.of("mean", mean, "std", Math.sqrt(var), "values", vs));
        });
        Map<String, Double> gap = new TreeMap<>();
        values.keySet().stream().filter(n -> n.startsWith("train_")).forEach(n -> {
            String h = "heldout_" + n.substring("train_".length());
            if (values.containsKey(h)) {
                gap.put(n.substring("train_".length()), mean(values.get(n)) - mean(values.get(h)));
            }
        });
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("k", k);
        report.put("fold_of", "SHA-256 of the example's conversation mod k");
        report.put("figures", summary);
        report.put("gap_train_minus_heldout", gap);
        List<Map<String, Object>> each = new ArrayList<>();
        for (TrialRecord t : ok) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("fold", t.id());
            f.put("steps", t.steps());
            f.put("seconds", t.seconds());
            f.putAll(new TreeMap<>(t.foldFigures()));
            each.add(f);
        }
        report.put("folds", each);
        writeParquet(folds);
        storage.writeString(Storage.child(output, FOLDS), Json.write(report));
        System.out.printf("%-16s %10s %8s %10s %8s %8s%n", "figure", "train", "+-", "held-out", "+-", "gap");
        values.keySet().stream().filter(n -> n.startsWith("train_")).forEach(n -> {
            String m = n.substring("train_".length());
            List<Double> tr = values.get(n);
            List<Double> ho = values.getOrDefault("heldout_" + m, List.of());
            System.out.printf("%-16s %10.4f %8.4f %10.4f %8.4f %8.4f%n", m, mean(tr), std(tr), mean(ho), std(ho),
                    gap.getOrDefault(m, Double.NaN));
        });
        System.out.println("tune: " + k + " folds -> " + Storage.child(output, FOLDS));
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double std(List<Double> v) {
        double m = mean(v);
        return Math.sqrt(v.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / Math.max(1, v.size() - 1));
    }
}
