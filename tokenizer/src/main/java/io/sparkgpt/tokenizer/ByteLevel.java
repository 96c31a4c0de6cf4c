package io.sparkgpt.tokenizer;

/**
 * GPT-2's reversible byte-to-unicode map: every byte gets a printable character, so that byte sequences can be
 * written as the keys of {@code vocab.json} and the lines of {@code merges.txt}. The order of {@link #BYTES_IN_ID_ORDER}
 * is GPT-2's: the printable bytes first, then the others; the single-byte tokens take ids in that order.
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];
    /** {@code BYTES_IN_ID_ORDER[i]} is the byte of GPT-2 token id i (0 <= i < 256). */
    static final int[] BYTES_IN_ID_ORDER = new int[256];
    /** {@code ID_OF_BYTE[b]} is the base token id of byte b. */
    static final int[] ID_OF_BYTE = new int[256];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        int k = 0;
        for (int b = 0; b < 256; b++) {
            if (printable(b)) {
                BYTES_IN_ID_ORDER[k++] = b;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!printable(b)) {
                BYTES_IN_ID_ORDER[k++] = b;
            }
        }
        for (int b = 0; b < 256; b++) {
            char c = printable(b) ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
        for (int i = 0; i < 256; i++) {
            ID_OF_BYTE[BYTES_IN_ID_ORDER[i]] = i;
        }
    }

    private ByteLevel() {}

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** The byte-level string of {@code bytes} (one char per byte). */
    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** The bytes of a byte-level string, or null when a char is outside the map. */
    public static byte[] decode(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
