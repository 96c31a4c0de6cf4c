package io.sparkgpt.pipeline.quality;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;

/**
 * FineWeb's own filters (Penedo et al. 2024; datatrove's FineWebQualityFilter, defaults from the paper): share of
 * lines ending in punctuation, share of short lines, share of characters in duplicated lines, and newlines per
 * word (list-like pages). For unsegmented scripts (zh, ja) a "short line" is measured in characters scaled by
 * {@code cjkShortLineScale} (a Chinese character carries about three Latin characters' worth of text).
 */
public final class FineWebQualityFilter implements DocumentStep {
    public record Config(double linePunctThr, double shortLineThr, int shortLineLength, double charDuplicatesRatio,
                         double newLineRatio, double cjkShortLineScale) implements java.io.Serializable {
        public static Config defaults() {
            return new Config(0.12, 0.67, 30, 0.01, 0.3, 1.0 / 3);
        }
    }

    private final Config c;

    public FineWebQualityFilter(Config config) {
        this.c = config;
    }

    @Override
    public String name() {
        return "fineweb";
    }

    @Override
    public String process(Document d, Counters counters) {
        String text = d.text;
        String[] raw = text.split("\n");
        java.util.List<String> lines = new java.util.ArrayList<>(raw.length);
        for (String l : raw) {
            String t = l.strip();
            if (!t.isEmpty()) {
                lines.add(t);
            }
        }
        if (lines.isEmpty()) {
            return "empty";
        }
        int punct = 0;
        int shortLines = 0;
        int shortLen = Words.unsegmented(d.language) ? (int) Math.round(c.shortLineLength() * c.cjkShortLineScale())
                : c.shortLineLength();
        for (String l : lines) {
            if (Words.endsWithTerminalPunct(l)) {
                punct++;
            }
            if (l.length() <= shortLen) {
                shortLines++;
            }
        }
        double punctRatio = (double) punct / lines.size();
        d.signals.put("fineweb_line_punct_ratio", punctRatio);
        if (punctRatio < c.linePunctThr()) {
            return "line_punct_ratio";
        }
        double shortRatio = (double) shortLines / lines.size();
        d.signals.put("fineweb_short_line_ratio", shortRatio);
        if (shortRatio > c.shortLineThr()) {
            return "short_line_ratio";
        }
        long[] dup = GopherRepetitionFilter.duplicates(lines.toArray(new String[0]));
        int nonNewline = text.length() - (int) text.chars().filter(ch -> ch == '\n').count();
        double dupRatio = (double) dup[1] / Math.max(1, nonNewline);
        d.signals.put("fineweb_char_dup_ratio", dupRatio);
        if (dupRatio > c.charDuplicatesRatio()) {
            return "char_dup_ratio";
        }
        int words = Words.of(d).length;
        double nl = (double) (raw.length - 1) / Math.max(1, words);
        if (nl > c.newLineRatio()) {
            return "list_ratio";
        }
        return null;
    }
}
