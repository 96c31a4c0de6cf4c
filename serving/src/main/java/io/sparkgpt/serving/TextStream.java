package io.sparkgpt.serving;

import io.sparkgpt.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * The text of one generated sequence, given out piece by piece as tokens arrive: a piece is only given once it can
 * no longer change, so a character split across two tokens (a trailing U+FFFD) and text that may be the start of a
 * stop string are held back. When a stop string appears the text ends just before it (OpenAI's {@code stop}).
 */
final class TextStream {
    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final int longestStop;
    private int[] ids = new int[16];
    private int n;
    private String text = "";
    private int emitted;
    private boolean stopped;

    TextStream(Tokenizer tokenizer, List<String> stops) {
        this.tokenizer = tokenizer;
        this.stops = stops;
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds a generated id; returns the text that became final (maybe ""). After a stop string, {@link #stopped}. */
    String add(int id) {
        if (stopped) {
            throw new IllegalStateException("the sequence already stopped");
        }
        if (n == ids.length) {
            ids = Arrays.copyOf(ids, 2 * n);
        }
        ids[n++] = id;
        text = tokenizer.decode(Arrays.copyOf(ids, n));
        int cut = firstStop();
        if (cut >= 0) {
            stopped = true;
            text = text.substring(0, cut);
            return take(cut);
        }
        int safe = text.length();
        while (safe > emitted && text.charAt(safe - 1) == '\uFFFD') {
            safe--;
        }
        safe = Math.min(safe, text.length() - stopPrefixAtEnd());
        return take(Math.max(emitted, safe));
    }

    /** The text not given yet (at the end of the sequence). */
    String rest() {
        return take(text.length());
    }

    boolean stopped() {
        return stopped;
    }

    /** The whole text so far (cut before a stop string). */
    String text() {
        return text;
    }

    private String take(int upTo) {
        String piece = text.substring(emitted, upTo);
        emitted = upTo;
        return piece;
    }

    /** Where the first stop string starts, or -1; only the part that the new token can have completed is searched. */
    private int firstStop() {
        int from = Math.max(0, emitted - longestStop);
        int best = -1;
        for (String s : stops) {
            int at = text.indexOf(s, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** Length of the longest end of the text that is a proper start of some stop string. */
    private int stopPrefixAtEnd() {
        int best = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length()); k > best; k--) {
                if (text.regionMatches(text.length() - k, s, 0, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }
}
