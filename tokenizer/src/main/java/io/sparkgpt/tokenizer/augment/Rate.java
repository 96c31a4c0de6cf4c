package io.sparkgpt.tokenizer.augment;

/** Checks an augmentation's rate option. */
final class Rate {
    private Rate() {
    }

    static double check(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + rate);
        }
        return rate;
    }
}
