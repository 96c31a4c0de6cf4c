package io.sparkgpt.pipeline.dedup;

import java.io.Serializable;

/**
 * Settings of the dedup step.
 *
 * <p>Defaults: MinHash with {@code bands * rows = 20 * 5 = 100} permutations over word 5-grams (character 5-grams
 * for Chinese/Japanese/Thai-like scripts). Two documents of Jaccard similarity {@code s} share at least one LSH
 * bucket with probability {@code P(s) = 1 - (1 - s^rows)^bands}; the S-curve's midpoint is
 * {@code (1/bands)^(1/rows) = (1/20)^(1/5) ~ 0.55}, and P(0.6) = 0.80, P(0.7) = 0.975, P(0.75) = 0.995,
 * P(0.8) = 0.9996. The LSH is deliberately generous; every candidate pair is then checked against
 * {@code jaccardThreshold} (0.7), exactly on the shingle sets ({@code verify = true}) or by the MinHash estimate of
 * the full signature ({@code verify = false}). So "near duplicate" means word-5-gram Jaccard >= 0.7, found with
 * probability >= 97.5% per pair at 0.7 and >= 99.5% from 0.75 up (more through transitivity in clusters).
 *
 * @param bands LSH bands
 * @param rows MinHash values per band
 * @param ngram shingle length in words (word scripts)
 * @param charNgram shingle length in characters (scripts written without spaces: zh, ja, th, ...)
 * @param jaccardThreshold a candidate pair is a duplicate when its (exact or estimated) Jaccard is >= this
 * @param verify true: exact Jaccard of the shingle sets; false: MinHash estimate from the signature
 * @param seed fixes the hash functions: the same seed gives the same result on any partitioning
 * @param allPairsBucketLimit LSH buckets up to this size give all their pairs as candidates; larger ones a star
 *     around their smallest member (a giant bucket of n copies gives n-1 pairs, not n^2/2)
 * @param exactUrl drop all but the latest fetch of each URL
 * @param exactContent drop all but one document per normalised-text hash
 * @param fuzzy run the MinHash-LSH stage
 */
public record DedupConfig(int bands, int rows, int ngram, int charNgram, double jaccardThreshold, boolean verify,
                          long seed, int allPairsBucketLimit, boolean exactUrl, boolean exactContent,
                          boolean fuzzy) implements Serializable {

    public static final int DEFAULT_BANDS = 20;
    public static final int DEFAULT_ROWS = 5;
    public static final int DEFAULT_NGRAM = 5;
    public static final int DEFAULT_CHAR_NGRAM = 5;
    public static final double DEFAULT_THRESHOLD = 0.7;
    public static final long DEFAULT_SEED = 0x5eed_d3d0L;
    public static final int DEFAULT_ALL_PAIRS_LIMIT = 16;

    public DedupConfig {
        if (bands < 1 || rows < 1) {
            throw new IllegalArgumentException("bands and rows must be >= 1, got " + bands + " x " + rows);
        }
        if (bands * rows > 1024) {
            throw new IllegalArgumentException("bands * rows must be <= 1024, got " + bands * rows);
        }
        if (ngram < 1 || charNgram < 1) {
            throw new IllegalArgumentException("n-gram sizes must be >= 1");
        }
        if (!(jaccardThreshold > 0 && jaccardThreshold <= 1)) {
            throw new IllegalArgumentException("jaccard threshold must be in (0, 1], got " + jaccardThreshold);
        }
        if (allPairsBucketLimit < 2) {
            throw new IllegalArgumentException("allPairsBucketLimit must be >= 2");
        }
    }

    public static DedupConfig defaults() {
        return new DedupConfig(DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_NGRAM, DEFAULT_CHAR_NGRAM, DEFAULT_THRESHOLD,
                true, DEFAULT_SEED, DEFAULT_ALL_PAIRS_LIMIT, true, true, true);
    }

    public int numPerm() {
        return bands * rows;
    }

    /** The S-curve's midpoint (1/bands)^(1/rows). */
    public double lshThreshold() {
        return Math.pow(1.0 / bands, 1.0 / rows);
    }

    /** Probability that a pair of Jaccard {@code s} becomes a candidate. */
    public double candidateProbability(double s) {
        return 1 - Math.pow(1 - Math.pow(s, rows), bands);
    }

    public DedupConfig withBands(int b, int r) {
        return new DedupConfig(b, r, ngram, charNgram, jaccardThreshold, verify, seed, allPairsBucketLimit,
                exactUrl, exactContent, fuzzy);
    }

    public DedupConfig withThreshold(double t, boolean v) {
        return new DedupConfig(bands, rows, ngram, charNgram, t, v, seed, allPairsBucketLimit, exactUrl,
                exactContent, fuzzy);
    }

    public DedupConfig withNgram(int n, int charN) {
        return new DedupConfig(bands, rows, n, charN, jaccardThreshold, verify, seed, allPairsBucketLimit,
                exactUrl, exactContent, fuzzy);
    }

    public DedupConfig withSeed(long s) {
        return new DedupConfig(bands, rows, ngram, charNgram, jaccardThreshold, verify, s, allPairsBucketLimit,
                exactUrl, exactContent, fuzzy);
    }

    public DedupConfig withAllPairsBucketLimit(int limit) {
        return new DedupConfig(bands, rows, ngram, charNgram, jaccardThreshold, verify, seed, limit,
                exactUrl, exactContent, fuzzy);
    }

    public DedupConfig withStages(boolean url, boolean content, boolean fz) {
        return new DedupConfig(bands, rows, ngram, charNgram, jaccardThreshold, verify, seed, allPairsBucketLimit,
                url, content, fz);
    }
}
