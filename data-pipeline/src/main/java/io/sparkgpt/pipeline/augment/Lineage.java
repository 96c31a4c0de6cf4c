package io.sparkgpt.pipeline.augment;

/** The lineage columns every output row carries, and the values of an original row. */
final class Lineage {
    static final String SOURCE_ID = "source_id";
    static final String AUGMENTATION = "augmentation";
    static final String VARIANT = "variant";
    /** {@code augmentation} of the row as it came in (variant 0). */
    static final String ORIGINAL = "original";

    private Lineage() {
    }

    /** A variant's id: its source's id, the augmentation and the variant number ("doc-7~noise-2"). */
    static String id(String sourceId, String augmentation, int variant) {
        return sourceId + "~" + augmentation + "-" + variant;
    }
}
