package io.sparkgpt.pipeline.augment;

import io.sparkgpt.pipeline.lang.LanguageIdentifier;

/**
 * Whether a row is English, for synonym replacement: the row's {@code language} value where it has one (the
 * preprocess job's documents do), else the pipeline's language identifier on the text; or every row, where the
 * user said {@code --language en}. Make one per task (the identifier is per-task).
 */
final class EnglishCheck {
    private final String assumed;
    private LanguageIdentifier identifier;

    /** {@code assumed}: "auto" to look, or the language all rows are in. */
    EnglishCheck(String assumed) {
        this.assumed = assumed;
    }

    boolean english(String languageColumn, String text) {
        if (!"auto".equals(assumed)) {
            return "en".equals(assumed);
        }
        if (languageColumn != null && !languageColumn.isBlank()) {
            return "en".equals(languageColumn);
        }
        if (identifier == null) {
            identifier = new LanguageIdentifier();
        }
        return text != null && !text.isBlank() && "en".equals(identifier.identify(text).language());
    }
}
