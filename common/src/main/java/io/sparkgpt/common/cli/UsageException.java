package io.sparkgpt.common.cli;

/**
 * A problem the user can fix (missing input, bad option, cluster not up). {@link Cli} prints its message as one
 * line and exits with code 2, never a stack trace.
 */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
