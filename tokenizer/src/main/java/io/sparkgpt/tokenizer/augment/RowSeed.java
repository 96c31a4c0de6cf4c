package io.sparkgpt.tokenizer.augment;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The random stream of one (row, augmentation, variant): a function of the job's seed and the row's stable id only,
 * so a row gets the same variants whatever the partitioning, the order of rows or the other augmentations asked for.
 */
public final class RowSeed {
    private RowSeed() {
    }

    public static SplittableRandom random(long seed, String rowId, String augmentation, int variant) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        h = mix(h ^ fnv(rowId));
        h = mix(h ^ fnv(augmentation));
        h = mix(h ^ variant);
        return new SplittableRandom(h);
    }

    /** 64-bit FNV-1a of the UTF-8 bytes (String.hashCode's 32 bits would collide within a million rows). */
    static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
