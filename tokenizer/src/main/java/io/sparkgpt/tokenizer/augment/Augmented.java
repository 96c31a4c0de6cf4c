package io.sparkgpt.tokenizer.augment;

/** The text an augmentation made and how many edits it took (0: unchanged, or nothing it could touch). */
public record Augmented(String text, int edits) {
    public boolean changed() {
        return edits > 0;
    }
}
