package io.sparkgpt.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * Character-level vocabulary (nanoGPT's Shakespeare recipe): one id per distinct code point of a text, in code
 * point order, so the same text always gives the same ids. It has no end-of-text token ({@link #eotId} is -1).
 * A character outside the vocabulary is an IllegalArgumentException naming it and its position.
 */
public final class CharTokenizer implements Tokenizer {
    private final int[] chars;

    private CharTokenizer(int[] sortedCodePoints) {
        this.chars = sortedCodePoints;
    }

    /** The vocabulary of the distinct code points of {@code text}. */
    public static CharTokenizer fromText(String text) {
        TreeSet<Integer> set = new TreeSet<>();
        text.codePoints().forEach(set::add);
        return new CharTokenizer(set.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The vocabulary as a string: every character once, in id order (what {@link #save} writes). */
    public String chars() {
        return new String(chars, 0, chars.length);
    }

    /** Writes the vocabulary as one UTF-8 file holding the characters in id order. */
    public void save(Path file) {
        try {
            Files.writeString(file, chars(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static CharTokenizer load(Path file) {
        String s;
        try {
            s = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new TokenizerFormatException(file + ": file not found");
        } catch (IOException e) {
            throw new TokenizerFormatException(file + ": cannot be read: " + e.getMessage(), e);
        }
        int[] cps = s.codePoints().toArray();
        for (int i = 1; i < cps.length; i++) {
            if (cps[i] <= cps[i - 1]) {
                throw new TokenizerFormatException(file + ": character " + i
                        + " is out of order or repeated: not a vocabulary written by CharTokenizer.save");
            }
        }
        return new CharTokenizer(cps);
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.codePointCount(0, text.length())];
        int k = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int id = Arrays.binarySearch(chars, cp);
            if (id < 0) {
                throw new IllegalArgumentException("character U+" + Integer.toHexString(cp).toUpperCase()
                        + " at index " + i + " is not in the vocabulary");
            }
            out[k++] = id;
            i += Character.charCount(cp);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= chars.length) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.."
                        + (chars.length - 1) + ")");
            }
            sb.appendCodePoint(chars[id]);
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return chars.length;
    }

    @Override
    public int eotId() {
        return -1;
    }
}
