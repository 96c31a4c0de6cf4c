package io.sparkgpt.model.align;

import java.util.List;

/**
 * Sequences of different lengths as one rectangular batch, padded on the right (causal attention: padding never
 * reaches an earlier position). For training on the response: {@code x = ids[0 .. n-1)}, {@code y[t] = ids[t+1]}
 * on response tokens and -1 elsewhere ({@link io.sparkgpt.model.CrossEntropyLoss#IGNORE}); {@code last[b]} is the
 * last real position of row b in {@code x}.
 */
public record Padded(int[][] x, int[][] y, int[] last) {

    static final int PAD = 0;

    /** Next-token form: positions predicting response tokens carry their target, the rest -1. */
    public static Padded nextToken(List<Sequence> seqs) {
        int T = 0;
        for (Sequence s : seqs) {
            T = Math.max(T, s.length() - 1);
        }
        int[][] x = new int[seqs.size()][T];
        int[][] y = new int[seqs.size()][T];
        int[] last = new int[seqs.size()];
        for (int b = 0; b < seqs.size(); b++) {
            Sequence s = seqs.get(b);
            int n = s.length() - 1;
            java.util.Arrays.fill(x[b], PAD);
            java.util.Arrays.fill(y[b], -1);
            System.arraycopy(s.ids(), 0, x[b], 0, n);
            for (int t = s.responseStart() - 1; t < n; t++) {
                y[b][t] = s.ids()[t + 1];
            }
            last[b] = n - 1;
        }
        return new Padded(x, y, last);
    }

    /** Whole sequences (a reward model reads the hidden state at the last token, {@code last[b]}). */
    public static Padded whole(List<int[]> seqs) {
        int T = 0;
        for (int[] s : seqs) {
            T = Math.max(T, s.length);
        }
        int[][] x = new int[seqs.size()][T];
        int[] last = new int[seqs.size()];
        for (int b = 0; b < seqs.size(); b++) {
            System.arraycopy(seqs.get(b), 0, x[b], 0, seqs.get(b).length);
            last[b] = seqs.get(b).length - 1;
        }
        return new Padded(x, null, last);
    }

    public int rows() {
        return x.length;
    }

    public int T() {
        return x[0].length;
    }
}
