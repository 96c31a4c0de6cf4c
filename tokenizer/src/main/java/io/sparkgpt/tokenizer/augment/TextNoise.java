package io.sparkgpt.tokenizer.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Typing noise on prose, at set rates: each letter of a touchable word (see {@link Words}: never digits, symbols,
 * code or URLs) is with probability {@code charRate} deleted, swapped with the next letter or followed by an inserted
 * letter; each touchable word is with probability {@code wordRate} deleted, swapped with the next word or preceded
 * by a copy of another word of the text (EDA's random deletion / swap / insertion). A rate of 0 leaves the text as
 * it is. {@link #caseAndSpacing} is the lighter whitespace and letter-case noise SFT's augmenter also uses.
 */
public record TextNoise(double charRate, double wordRate) {
    public static final String NAME = "noise";
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

    public TextNoise {
        Rate.check("noise character rate", charRate);
        Rate.check("noise word rate", wordRate);
    }

    public Augmented apply(String text, SplittableRandom rng) {
        List<Words.Span> spans = Words.of(text);
        if (spans.isEmpty() || (charRate == 0 && wordRate == 0)) {
            return new Augmented(text, 0);
        }
        // the text as gap, word, gap, word, ..., gap: words are edited in place, gaps keep digits/symbols/code
        List<String> gaps = new ArrayList<>(spans.size() + 1);
        List<String> words = new ArrayList<>(spans.size());
        int last = 0;
        for (Words.Span s : spans) {
            gaps.add(text.substring(last, s.start()));
            words.add(s.text());
            last = s.end();
        }
        gaps.add(text.substring(last));
        int edits = 0;
        for (int k = 0; k < words.size(); k++) {
            StringBuilder w = new StringBuilder(words.get(k));
            for (int i = 0; i < w.length() && charRate > 0; i++) {
                if (!Character.isLetter(w.charAt(i)) || rng.nextDouble() >= charRate) {
                    continue;
                }
                switch (rng.nextInt(3)) {
                    case 0 -> {
                        if (w.length() < 2) {
                            continue;
                        }
                        w.deleteCharAt(i--);
                    }
                    case 1 -> {
                        if (i + 1 >= w.length() || !Character.isLetter(w.charAt(i + 1))
                                || w.charAt(i) == w.charAt(i + 1)) {
                            continue;
                        }
                        char c = w.charAt(i);
                        w.setCharAt(i, w.charAt(i + 1));
                        w.setCharAt(++i, c);
                    }
                    default -> w.insert(++i, LETTERS.charAt(rng.nextInt(LETTERS.length())));
                }
                edits++;
            }
            words.set(k, w.toString());
        }
        for (int k = 0; k < words.size() && wordRate > 0; k++) {
            if (words.get(k).isEmpty() || rng.nextDouble() >= wordRate) {
                continue;
            }
            switch (rng.nextInt(3)) {
                case 0 -> {
                    if (words.size() < 2) {
                        continue;
                    }
                    words.set(k, "");
                    // drop one side's spacing with the word: "a big cat" -> "a cat", "a big." -> "a."
                    if (gaps.get(k + 1).isBlank()) {
                        gaps.set(k + 1, "");
                    } else {
                        gaps.set(k, gaps.get(k).stripTrailing());
                    }
                }
                case 1 -> {
                    if (k + 1 >= words.size() || words.get(k + 1).isEmpty() || words.get(k).equals(words.get(k + 1))) {
                        continue;
                    }
                    String t = words.get(k);
                    words.set(k, words.get(k + 1));
                    words.set(++k, t);
                }
                default -> {
                    String other = spans.get(rng.nextInt(spans.size())).text().toLowerCase(Locale.ROOT);
                    words.set(k, other + " " + words.get(k));
                }
            }
            edits++;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int k = 0; k < words.size(); k++) {
            out.append(gaps.get(k)).append(words.get(k));
        }
        out.append(gaps.get(words.size()));
        return new Augmented(out.toString(), edits);
    }

    /**
     * Whitespace and letter-case noise: the whole text lower- or upper-cased (or kept), a space doubled with
     * probability 1/4, a leading space with probability 1/2. Digits and symbols are never changed.
     */
    public static String caseAndSpacing(String s, SplittableRandom rng) {
        switch (rng.nextInt(3)) {
            case 0 -> s = s.toLowerCase(Locale.ROOT);
            case 1 -> s = s.toUpperCase(Locale.ROOT);
            default -> {
            }
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            sb.append(c);
            if (c == ' ' && rng.nextInt(4) == 0) {
                sb.append(' ');
            }
        }
        if (rng.nextInt(2) == 0) {
            sb.insert(0, ' ');
        }
        return sb.toString();
    }
}
