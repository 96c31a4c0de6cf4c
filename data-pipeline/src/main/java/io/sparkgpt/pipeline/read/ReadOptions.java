package io.sparkgpt.pipeline.read;

import java.io.Serializable;

/**
 * How records are read. {@code maxRecordBytes} bounds memory: a payload longer than that is not kept (the
 * document is marked truncated and the select step drops it as {@code too_large}); the rest of the record is
 * skipped on the stream, never buffered.
 */
public record ReadOptions(long maxRecordBytes) implements Serializable {
    public static final long DEFAULT_MAX_RECORD_BYTES = 8L << 20;

    public static ReadOptions defaults() {
        return new ReadOptions(DEFAULT_MAX_RECORD_BYTES);
    }
}
