package io.sparkgpt.model.data;

import io.sparkgpt.common.io.Storage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * llm.c token shards: a header of 256 little-endian int32 ({@code [0]} = magic 20240520, {@code [1]} = version 1,
 * {@code [2]} = token count) followed by the tokens as little-endian uint16.
 */
public final class TokenBin {
    public static final int MAGIC = 20240520;
    public static final int HEADER_INTS = 256;

    private TokenBin() {}

    public static int[] read(Storage storage, String path) {
        return parse(storage.readAll(path), path);
    }

    public static int[] parse(byte[] bytes, String name) {
        if (bytes.length < HEADER_INTS * 4) {
            throw new IllegalArgumentException("token shard " + name + " is truncated: " + bytes.length
                    + " bytes, the header alone is " + HEADER_INTS * 4);
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = bb.getInt(0);
        if (magic != MAGIC) {
            throw new IllegalArgumentException(name + " is not an llm.c token shard (magic " + magic + ", expected "
                    + MAGIC + ")");
        }
        int version = bb.getInt(4);
        if (version != 1) {
            throw new IllegalArgumentException("token shard " + name + " has version " + version
                    + " (only version 1, uint16 tokens, is read)");
        }
        int n = bb.getInt(8);
        long expected = HEADER_INTS * 4L + 2L * n;
        if (n < 0 || bytes.length != expected) {
            throw new IllegalArgumentException("token shard " + name + " is truncated or padded: " + bytes.length
                    + " bytes, its header promises " + n + " tokens = " + expected + " bytes");
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = Short.toUnsignedInt(bb.getShort(HEADER_INTS * 4 + 2 * i));
        }
        return out;
    }

    public static byte[] format(int[] tokens) {
        ByteBuffer bb = ByteBuffer.allocate(HEADER_INTS * 4 + 2 * tokens.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(0, MAGIC).putInt(4, 1).putInt(8, tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] > 0xFFFF) {
                throw new IllegalArgumentException("token " + tokens[i] + " at " + i + " does not fit uint16");
            }
            bb.putShort(HEADER_INTS * 4 + 2 * i, (short) tokens[i]);
        }
        return bb.array();
    }

    public static void write(Storage storage, String path, int[] tokens) {
        storage.writeAtomically(path, format(tokens));
    }
}
