package io.sparkgpt.model.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * nanoGPT's character-level vocabulary ({@code data/shakespeare_char/prepare.py}): the sorted distinct code points
 * of a text, id = rank. Lives in the model module because the nanoGPT comparison needs it and must not wait for
 * the tokenizer module; it is saved into checkpoints as the string of its characters ({@link #chars()}).
 */
public final class CharVocab {
    private final int[] codePoints;
    private final Map<Integer, Integer> index = new HashMap<>();

    private CharVocab(int[] sortedCodePoints) {
        this.codePoints = sortedCodePoints;
        for (int i = 0; i < codePoints.length; i++) {
            index.put(codePoints[i], i);
        }
    }

    /** The vocabulary of {@code text}: its distinct code points, sorted. */
    public static CharVocab of(String text) {
        return new CharVocab(text.codePoints().distinct().sorted().toArray());
    }

    /** Rebuilds a vocabulary from {@link #chars()}. */
    public static CharVocab fromChars(String chars) {
        int[] cps = chars.codePoints().toArray();
        int[] sorted = cps.clone();
        Arrays.sort(sorted);
        if (!Arrays.equals(cps, sorted) || Arrays.stream(cps).distinct().count() != cps.length) {
            throw new IllegalArgumentException("character vocabulary must be sorted distinct characters");
        }
        return new CharVocab(cps);
    }

    public int size() {
        return codePoints.length;
    }

    /** All characters in id order. */
    public String chars() {
        return new String(codePoints, 0, codePoints.length);
    }

    public int[] encode(String text) {
        return text.codePoints().map(cp -> {
            Integer id = index.get(cp);
            if (id == null) {
                throw new IllegalArgumentException("character U+" + Integer.toHexString(cp).toUpperCase()
                        + " is not in the character vocabulary");
            }
            return id;
        }).toArray();
    }

    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.appendCodePoint(codePoints[id]);
        }
        return sb.toString();
    }
}
