package io.sparkgpt.pipeline.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

final class Gzip {
    private Gzip() {}

    /** Unzips when the stream starts with the gzip magic (multi-member files included), else returns it as is. */
    static InputStream maybeGunzip(InputStream buffered, String path) throws IOException {
        buffered.mark(2);
        int a = buffered.read();
        int b = buffered.read();
        buffered.reset();
        if (a == 0x1f && b == 0x8b) {
            return new java.io.BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
        }
        return buffered;
    }
}
