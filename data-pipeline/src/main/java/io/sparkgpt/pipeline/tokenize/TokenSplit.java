package io.sparkgpt.pipeline.tokenize;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Train/validation split by a hash of the document id: the first 8 bytes of SHA-256(id) as a fraction of 2^64.
 * A document keeps its side whatever else is in the corpus and however it is partitioned.
 */
public final class TokenSplit {
    public static final String TRAIN = "train";
    public static final String VAL = "val";

    private TokenSplit() {}

    /** Where {@code docId} falls in [0, 1). */
    public static double position(String docId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(docId.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xFF);
            }
            return (v >>> 11) * 0x1.0p-53;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(String docId, double valFraction) {
        return position(docId) < valFraction ? VAL : TRAIN;
    }
}
