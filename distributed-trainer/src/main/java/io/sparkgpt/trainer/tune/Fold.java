package io.sparkgpt.trainer.tune;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Fold {@code index} of {@code k}: an example belongs to fold {@code SHA-256(id) mod k}, so the folds are disjoint,
 * cover every example, and do not move when the file is reordered, grows or is copied elsewhere.
 */
public record Fold(int k, int index) implements Serializable {
    public Fold {
        if (k < 2 || index < 0 || index >= k) {
            throw new IllegalArgumentException("fold " + index + " of " + k + " (k must be >= 2)");
        }
    }

    /** The fold of an example id. */
    public static int of(String id, int k) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return (int) Math.floorMod(v, (long) k);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when the example {@code id} is held out by this fold. */
    public boolean holds(String id) {
        return of(id, k) == index;
    }
}
