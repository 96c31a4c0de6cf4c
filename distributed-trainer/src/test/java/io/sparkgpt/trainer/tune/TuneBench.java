package io.sparkgpt.trainer.tune;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.trainer.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * bench/tune/run.sh: on tinyshakespeare (data/test, byte tokens), the demo's model shape at PretrainJob's default
 * learning rate against a learning-rate grid, then successive halving over the same grid points; prints the table of
 * validation losses, and on the last line what halving reached and with what share of the grid's optimiser steps.
 * Args: OUT MAX_STEPS MIN_BUDGET ETA GRID_POINTS.
 */
public final class TuneBench {
    public static void main(String[] a) throws Exception {
        Path out = Path.of(a[0]);
        String maxSteps = a[1];
        String minBudget = a[2];
        String eta = a[3];
        String points = a[4];
        Path tokens = out.resolve("tokens");
        if (!Files.exists(tokens.resolve("train/_SUCCESS"))) {
            SparkSession spark = SparkSession.builder().appName("tune-bench-tokens").getOrCreate();
            try {
                TestTokens.write(spark, tokens, 400_000);
            } finally {
                spark.stop();
            }
        }
        Path space = out.resolve("lr.json");
        Files.writeString(space, "{\"lr\": {\"log_uniform\": [1e-4, 3e-2], \"grid\": " + points + "}}");
        // the demo's model and schedule (deploy/spark-submit/demo.sh) with PretrainJob's default --lr
        List<String> job = List.of("--data", tokens.toString(), "--n-layer", "2", "--n-head", "2", "--n-embd", "64",
                "--block-size", "64", "--batch-size", "8", "--local-steps", "10", "--max-steps", maxSteps,
                "--warmup", "20", "--eval-windows", "64", "--seed", "1");
        List<String> grid = new ArrayList<>(List.of("--job", "pretrain", "--space", space.toString(), "--output",
                out.resolve("grid").toString()));
        grid.addAll(job);
        check(Cli.execute(new TuneJob(), grid.toArray(String[]::new)), "grid");
        List<String> half = new ArrayList<>(List.of("--job", "pretrain", "--space", space.toString(), "--output",
                out.resolve("halving").toString(), "--strategy", "halving", "--candidates", "grid", "--min-budget",
                minBudget, "--max-budget", maxSteps, "--eta", eta));
        half.addAll(job);
        check(Cli.execute(new TuneJob(), half.toArray(String[]::new)), "halving");

        double[] g = summary(out.resolve("grid"));
        double[] h = summary(out.resolve("halving"));
        System.out.printf("grid: best val_loss %.4f at lr %s; default lr 1e-3: %.4f; %d steps%n", g[0],
                bestLr(out.resolve("grid")), g[2], (long) g[1]);
        System.out.printf("halving: best val_loss %.4f at lr %s; %d steps%n", h[0], bestLr(out.resolve("halving")),
                (long) h[1]);
        System.out.printf("halving reached val_loss %.4f vs the grid's best %.4f (%+.2f%%) with %.1f%% of the grid's "
                + "optimizer steps (%d / %d); the grid's best beat the default lr by %.4f nats%n", h[0], g[0],
                100 * (h[0] - g[0]) / g[0], 100 * h[1] / g[1], (long) h[1], (long) g[1], g[2] - g[0]);
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new IllegalStateException(what + " search failed: exit " + rc);
        }
    }

    /** best metric among trials at the top rung, total steps, the baseline's metric. */
    private static double[] summary(Path dir) throws Exception {
        double best = Double.MAX_VALUE;
        double steps = 0;
        double base = Double.NaN;
        int top = 0;
        List<JsonNode> recs = new ArrayList<>();
        try (var s = Files.list(dir.resolve("trials"))) {
            for (Path t : s.toList()) {
                recs.add(Json.mapper().readTree(Files.readString(t.resolve("trial.json"))));
            }
        }
        for (JsonNode r : recs) {
            top = Math.max(top, r.get("rung").asInt());
        }
        for (JsonNode r : recs) {
            steps += r.get("steps").asLong();
            if (r.get("rung").asInt() == top) {
                best = Math.min(best, r.get("metric").asDouble());
            }
            if (r.get("id").asText().equals("base")) {
                base = r.get("metric").asDouble();
            }
        }
        return new double[] {best, steps, base};
    }

    private static String bestLr(Path dir) throws Exception {
        return Json.mapper().readTree(Files.readString(dir.resolve("best.json"))).path("lr").asText("(default)");
    }
}
