package io.sparkgpt.tokenizer.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sentence reordering within a paragraph: each paragraph (text between blank lines) of two or more sentences is,
 * with probability {@code rate}, given a random other order of its sentences; paragraphs never move and the
 * spacing between sentences stays where it was. A sentence ends at {@code . ! ?} (closing quotes or brackets
 * after it allowed) followed by whitespace and a capital letter, digit or opening quote: "e.g. this" and "3.14"
 * are not sentence ends.
 */
public record SentenceReorder(double rate) {
    public static final String NAME = "reorder";
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n[ \\t]*\\n\\s*");
    private static final Pattern SENTENCE_BREAK = Pattern.compile("(?<=[.!?][\"'”’)\\]]?)\\s+(?=[\"'“‘(\\[]?[\\p{Lu}\\d])");

    public SentenceReorder {
        Rate.check("reorder rate", rate);
    }

    public Augmented apply(String text, SplittableRandom rng) {
        if (rate == 0) {
            return new Augmented(text, 0);
        }
        StringBuilder out = new StringBuilder(text.length());
        int edits = 0;
        int last = 0;
        Matcher p = PARAGRAPH_BREAK.matcher(text);
        while (true) {
            boolean found = p.find();
            int end = found ? p.start() : text.length();
            String para = text.substring(last, end);
            String moved = reorder(para, rng);
            edits += moved.equals(para) ? 0 : 1;
            out.append(moved);
            if (!found) {
                break;
            }
            out.append(p.group());
            last = p.end();
        }
        return new Augmented(out.toString(), edits);
    }

    private String reorder(String para, SplittableRandom rng) {
        List<String> sentences = new ArrayList<>();
        List<String> breaks = new ArrayList<>();
        Matcher m = SENTENCE_BREAK.matcher(para);
        int last = 0;
        while (m.find()) {
            sentences.add(para.substring(last, m.start()));
            breaks.add(m.group());
            last = m.end();
        }
        sentences.add(para.substring(last));
        // draw the coin for every paragraph, even single-sentence ones, so one paragraph's length does not shift
        // the random stream of the next
        boolean go = rng.nextDouble() < rate;
        if (sentences.size() < 2 || !go || sentences.stream().distinct().count() < 2) {
            return para;
        }
        List<String> order = new ArrayList<>(sentences);
        do {
            for (int i = order.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                String t = order.get(i);
                order.set(i, order.get(j));
                order.set(j, t);
            }
        } while (order.equals(sentences));
        StringBuilder b = new StringBuilder(para.length());
        for (int i = 0; i < order.size(); i++) {
            b.append(order.get(i));
            if (i < breaks.size()) {
                b.append(breaks.get(i));
            }
        }
        return b.toString();
    }
}
