package io.sparkgpt.tokenizer;

/** A tokenizer file is missing or malformed; the message names the file and, where there is one, the line. */
public final class TokenizerFormatException extends RuntimeException {
    public TokenizerFormatException(String message) {
        super(message);
    }

    public TokenizerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
