package io.sparkgpt.pipeline.tokenize;

import io.sparkgpt.common.io.Storage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * llm.c's token shard format ({@code dev/data/data_common.py}): a header of 256 little-endian int32 (magic
 * 20240520, version 1, number of tokens, zeros) then the tokens as little-endian uint16. Ids must fit 16 bits.
 */
public final class LlmcShards {
    public static final int MAGIC = 20240520;
    public static final int VERSION = 1;
    public static final int HEADER_INTS = 256;
    public static final int MAX_VOCAB = 65536;

    private final Storage storage;
    private final String dir;
    private final String prefix;
    private final int shardTokens;
    private final List<String> written = new ArrayList<>();
    private short[] buf;
    private int n;
    private long total;

    public LlmcShards(Storage storage, String dir, String prefix, int shardTokens) {
        if (shardTokens < 1) {
            throw new IllegalArgumentException("shard size must be >= 1 token");
        }
        this.storage = storage;
        this.dir = dir;
        this.prefix = prefix;
        this.shardTokens = shardTokens;
        this.buf = new short[Math.min(shardTokens, 1 << 20)];
    }

    public void add(Iterator<int[]> docs) {
        while (docs.hasNext()) {
            for (int t : docs.next()) {
                if (t < 0 || t >= MAX_VOCAB) {
                    throw new IllegalArgumentException("token id " + t + " does not fit llm.c's uint16 shards");
                }
                if (n == buf.length) {
                    if (n == shardTokens) {
                        flush();
                    } else {
                        buf = java.util.Arrays.copyOf(buf, Math.min(shardTokens, buf.length * 2));
                    }
                }
                buf[n++] = (short) t;
            }
        }
    }

    /** Writes the last, partial shard; returns the shard paths. */
    public List<String> finish() {
        if (n > 0 || written.isEmpty()) {
            flush();
        }
        return List.copyOf(written);
    }

    public long tokens() {
        return total;
    }

    private void flush() {
        ByteBuffer bb = ByteBuffer.allocate(HEADER_INTS * 4 + n * 2).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(MAGIC).putInt(VERSION).putInt(n);
        bb.position(HEADER_INTS * 4);
        for (int i = 0; i < n; i++) {
            bb.putShort(buf[i]);
        }
        String path = Storage.child(dir, String.format("%s_%06d.bin", prefix, written.size()));
        storage.writeAtomically(path, bb.array());
        written.add(path);
        total += n;
        n = 0;
    }
}
