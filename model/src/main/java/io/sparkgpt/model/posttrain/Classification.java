package io.sparkgpt.model.posttrain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Accuracy, precision, recall and F1 (per class and macro-averaged over the reference classes) and the confusion
 * matrix of predicted vs reference labels. A prediction outside the reference classes is its own column
 * ({@link #OTHER}): it counts as wrong and lowers recall, but is not a class of the macro average.
 */
public final class Classification {
    public static final String OTHER = "<other>";

    private Classification() {
    }

    /** Per-class figures. */
    public record ClassFigures(String label, long support, double precision, double recall, double f1) {
    }

    /** The whole report: {@code confusion.get(reference).get(predicted)} = count. */
    public record Report(long n, double accuracy, double macroPrecision, double macroRecall, double macroF1,
                         List<ClassFigures> perClass, Map<String, Map<String, Long>> confusion) {
    }

    public static Report of(List<String> reference, List<String> predicted) {
        if (reference.size() != predicted.size()) {
            throw new IllegalArgumentException(reference.size() + " references vs " + predicted.size() + " predictions");
        }
        TreeSet<String> classes = new TreeSet<>(reference);
        List<String> cols = new ArrayList<>(classes);
        boolean other = predicted.stream().anyMatch(p -> !classes.contains(p));
        if (other) {
            cols.add(OTHER);
        }
        Map<String, Map<String, Long>> cm = new LinkedHashMap<>();
        for (String r : classes) {
            Map<String, Long> row = new LinkedHashMap<>();
            cols.forEach(c -> row.put(c, 0L));
            cm.put(r, row);
        }
        long correct = 0;
        for (int i = 0; i < reference.size(); i++) {
            String p = classes.contains(predicted.get(i)) ? predicted.get(i) : OTHER;
            cm.get(reference.get(i)).merge(p, 1L, Long::sum);
            correct += p.equals(reference.get(i)) ? 1 : 0;
        }
        List<ClassFigures> per = new ArrayList<>();
        double sp = 0, sr = 0, sf = 0;
        for (String c : classes) {
            long tp = cm.get(c).get(c);
            long support = cm.get(c).values().stream().mapToLong(Long::longValue).sum();
            long predictedC = cm.values().stream().mapToLong(row -> row.get(c)).sum();
            double precision = predictedC == 0 ? 0 : (double) tp / predictedC;
            double recall = support == 0 ? 0 : (double) tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            per.add(new ClassFigures(c, support, precision, recall, f1));
            sp += precision;
            sr += recall;
            sf += f1;
        }
        int k = classes.size();
        return new Report(reference.size(), reference.isEmpty() ? Double.NaN : (double) correct / reference.size(),
                sp / k, sr / k, sf / k, per, cm);
    }
}
