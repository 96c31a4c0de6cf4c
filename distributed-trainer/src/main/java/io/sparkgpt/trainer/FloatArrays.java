package io.sparkgpt.trainer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Flat float vectors as bytes (little-endian, a length header) and their fingerprint. */
public final class FloatArrays {
    private static final int MAGIC = 0x53475046; // "SGPF"

    private FloatArrays() {}

    public static byte[] toBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(v.length);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    public static float[] fromBytes(byte[] bytes, String what) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8 || b.getInt() != MAGIC) {
            throw new IllegalStateException(what + " is not a float vector file");
        }
        int n = b.getInt();
        if (bytes.length != 8 + 4L * n) {
            throw new IllegalStateException(what + " is truncated: header says " + n + " floats, file has "
                    + (bytes.length - 8) + " bytes");
        }
        float[] v = new float[n];
        b.asFloatBuffer().get(v);
        return v;
    }

    /** SHA-256 of the exact bits: two runs agree bit for bit exactly when these agree. */
    public static String sha256(float[] v) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(toBytes(v));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
