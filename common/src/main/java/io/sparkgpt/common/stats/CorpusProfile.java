package io.sparkgpt.common.stats;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A documents folder in figures ({@code inspect --profile}): text lengths and quality signals as histograms with
 * fixed bins, and documents per language. Immutable; its JSON form is what the corpus report notebook reads.
 * Only non-empty bins are listed, in ascending order.
 *
 * @param input     the folder profiled
 * @param documents rows read
 * @param textChars text length in characters (Unicode code points; a null text counts 0): bins [0,1), then
 *                  powers of two [1,2), [2,4), [4,8), ...
 * @param textWords text length in words (maximal runs of non-whitespace), same bins
 * @param signals   per quality signal (each key of the {@code signals} map, and {@code language_score} when that
 *                  column is there): bins of width 0.1 over [0,1] (the last one, [0.9,1], holds 1.0), then powers
 *                  of two above 1 ((1,2), [2,4), ...), and one bin below 0 ({@code lo} null)
 * @param languages documents per {@code language} ("none" when unset; empty without that column)
 */
public record CorpusProfile(String input, long documents, List<Bin> textChars, List<Bin> textWords,
                            Map<String, Signal> signals, Map<String, Long> languages) {

    public CorpusProfile {
        textChars = List.copyOf(textChars);
        textWords = List.copyOf(textWords);
        signals = Collections.unmodifiableMap(new TreeMap<>(signals));
        languages = Collections.unmodifiableMap(new TreeMap<>(languages));
    }

    /** One bin: {@code count} values in [lo, hi) (see the bin rules above for the edges). */
    public record Bin(Double lo, double hi, long count) {}

    /**
     * @param documents  documents with this signal
     * @param notANumber of those, the NaN values (in no bin)
     * @param bins       the histogram of the others
     */
    public record Signal(long documents, long notANumber, List<Bin> bins) {
        public Signal {
            bins = List.copyOf(bins);
        }
    }
}
