package io.sparkgpt.pipeline.read;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the file being read again, positioned at a byte offset: how a reader skips past damage to the next intact
 * record without buffering what it already read (Hadoop's {@code FSDataInputStream.seek}, a byte array in tests).
 */
@FunctionalInterface
public interface Reopener {
    InputStream openAt(long offset) throws IOException;
}
