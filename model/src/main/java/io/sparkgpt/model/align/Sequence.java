package io.sparkgpt.model.align;

import java.util.Arrays;

/**
 * A tokenized prompt and response: {@code ids[0 .. responseStart)} is the prompt, {@code ids[responseStart ..)} the
 * response (what DPO and PPO score and train; a reward model reads the whole sequence at its last token).
 */
public record Sequence(int[] ids, int responseStart) implements java.io.Serializable {
    public Sequence {
        if (responseStart < 1 || responseStart >= ids.length) {
            throw new IllegalArgumentException("a sequence needs >= 1 prompt token and >= 1 response token: "
                    + ids.length + " tokens, response from " + responseStart);
        }
    }

    public int length() {
        return ids.length;
    }

    public int responseLength() {
        return ids.length - responseStart;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sequence s && s.responseStart == responseStart && Arrays.equals(s.ids, ids);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + responseStart;
    }

    @Override
    public String toString() {
        return "Sequence[" + ids.length + " tokens, response from " + responseStart + "]";
    }
}
