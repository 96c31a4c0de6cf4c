package io.sparkgpt.trainer.tune;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A search space file: a JSON object whose keys are the job's long option names without dashes (the names of
 * {@code --config} and {@code best.json}) and whose values say how to draw that option:
 * <pre>{@code
 * {"lr":           {"log_uniform": [1e-4, 3e-2], "grid": 5},
 *  "batch-size":   {"choice": [4, 8, 16]},
 *  "warmup":       {"int": [0, 40], "grid": 3},
 *  "dropout":      {"uniform": [0.0, 0.2]}}
 * }</pre>
 * {@code grid} is how many points a grid search takes of a continuous range (default 3; a choice takes all its values,
 * an int range all its integers up to that many points).
 */
public record SearchSpace(List<Param> params) implements java.io.Serializable {
    public SearchSpace {
        params = List.copyOf(params);
        if (params.isEmpty()) {
            throw new UsageException("the search space names no parameter");
        }
    }

    /** How one parameter is drawn. {@code values} only for CHOICE, {@code min}/{@code max} for the ranges. */
    public record Param(String name, Kind kind, double min, double max, List<Object> values, int gridPoints)
            implements java.io.Serializable {
        public enum Kind { LOG_UNIFORM, UNIFORM, INT, CHOICE }

        /** A random value (ranges: uniform, or uniform in log space). */
        Object draw(Random rnd) {
            return switch (kind) {
                case CHOICE -> values.get(rnd.nextInt(values.size()));
                case UNIFORM -> min + rnd.nextDouble() * (max - min);
                case LOG_UNIFORM -> Math.exp(Math.log(min) + rnd.nextDouble() * (Math.log(max) - Math.log(min)));
                case INT -> (long) min + rnd.nextInt((int) (max - min) + 1);
            };
        }

        /** The grid's values: evenly spaced (in log space for LOG_UNIFORM), both ends included. */
        List<Object> grid() {
            if (kind == Kind.CHOICE) {
                return values;
            }
            List<Object> out = new ArrayList<>();
            if (kind == Kind.INT) {
                long lo = (long) min;
                long hi = (long) max;
                int n = (int) Math.min(gridPoints, hi - lo + 1);
                for (int i = 0; i < n; i++) {
                    long v = n == 1 ? lo : lo + Math.round((double) i * (hi - lo) / (n - 1));
                    if (!out.contains(v)) {
                        out.add(v);
                    }
                }
                return out;
            }
            for (int i = 0; i < gridPoints; i++) {
                double f = gridPoints == 1 ? 0.5 : (double) i / (gridPoints - 1);
                out.add(kind == Kind.LOG_UNIFORM ? round(Math.exp(Math.log(min) + f * (Math.log(max) - Math.log(min))))
                        : round(min + f * (max - min)));
            }
            return out;
        }

        /** Six significant digits: grid points print and parse back as what the trial ran. */
        private static double round(double v) {
            return Double.parseDouble(String.format("%.6g", v));
        }
    }

    /** Parses a search space file's text; {@code name} (the file) is quoted in every error. */
    public static SearchSpace parse(String json, String name) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UsageException(name + ": not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new UsageException(name + ": expected a JSON object of option name -> distribution");
        }
        List<Param> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.add(param(e.getKey(), e.getValue(), name));
        }
        return new SearchSpace(out);
    }

    private static Param param(String key, JsonNode spec, String file) {
        String where = file + ": \"" + key + "\"";
        if (key.startsWith("-") || key.isBlank()) {
            throw new UsageException(where + ": name the option without dashes (\"lr\", not \"--lr\")");
        }
        int grid = spec.path("grid").asInt(3);
        if (grid < 1) {
            throw new UsageException(where + ": grid must be >= 1");
        }
        for (Param.Kind k : Param.Kind.values()) {
            JsonNode v = spec.get(k.name().toLowerCase());
            if (v == null) {
                continue;
            }
            if (!v.isArray() || v.isEmpty()) {
                throw new UsageException(where + ": " + k.name().toLowerCase() + " needs a non-empty array");
            }
            if (k == Param.Kind.CHOICE) {
                List<Object> values = new ArrayList<>();
                v.forEach(x -> values.add(x.isIntegralNumber() ? (Object) x.asLong() : x.isNumber() ? (Object) x.asDouble()
                        : x.isBoolean() ? (Object) x.asBoolean() : x.asText()));
                return new Param(key, k, 0, 0, values, grid);
            }
            if (v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
                throw new UsageException(where + ": " + k.name().toLowerCase() + " needs [min, max]");
            }
            double lo = v.get(0).asDouble();
            double hi = v.get(1).asDouble();
            if (!(lo <= hi) || (k == Param.Kind.LOG_UNIFORM && lo <= 0)
                    || (k == Param.Kind.INT && (lo != Math.rint(lo) || hi != Math.rint(hi)))) {
                throw new UsageException(where + ": bad range [" + lo + ", " + hi + "]"
                        + (k == Param.Kind.LOG_UNIFORM ? " (log_uniform needs 0 < min <= max)" : ""));
            }
            return new Param(key, k, lo, hi, List.of(), grid);
        }
        throw new UsageException(where + ": expected one of log_uniform, uniform, int, choice");
    }
}
