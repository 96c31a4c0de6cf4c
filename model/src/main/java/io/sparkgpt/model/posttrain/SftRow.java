package io.sparkgpt.model.posttrain;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One training row of fine-tuning: inputs {@code x} and targets {@code y} of the same length, {@code y[t]} the id
 * the model must predict after {@code x[0..t]}, or -1 where no loss is taken (prompt tokens, headers, padding).
 * {@code origin} names the example(s) it came from.
 */
public record SftRow(String origin, int[] x, int[] y) implements Serializable {
    public SftRow {
        if (x.length != y.length || x.length == 0) {
            throw new IllegalArgumentException(origin + ": x and y must be non-empty and of one length: " + x.length
                    + " vs " + y.length);
        }
    }

    public int length() {
        return x.length;
    }

    /** Positions with a target. */
    public int targets() {
        int n = 0;
        for (int t : y) {
            n += t >= 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SftRow r && origin.equals(r.origin) && Arrays.equals(x, r.x) && Arrays.equals(y, r.y);
    }

    @Override
    public int hashCode() {
        return origin.hashCode() * 31 + Arrays.hashCode(x) * 17 + Arrays.hashCode(y);
    }
}
