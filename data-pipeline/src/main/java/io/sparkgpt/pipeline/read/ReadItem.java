package io.sparkgpt.pipeline.read;

import io.sparkgpt.pipeline.step.Document;

/** What a reader yields: a document, or a bad record named by file and offset (never both). */
public record ReadItem(Document document, String errorFile, long errorOffset, String errorMessage) {
    public static ReadItem of(Document d) {
        return new ReadItem(d, null, -1, null);
    }

    public static ReadItem error(String file, long offset, String message) {
        return new ReadItem(null, file, offset, message);
    }

    public boolean isError() {
        return document == null;
    }
}
