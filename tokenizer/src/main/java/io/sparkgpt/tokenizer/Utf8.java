package io.sparkgpt.tokenizer;

/** Strict UTF-8 validation (what Java's decoder accepts): no overlongs, no surrogates, nothing above U+10FFFF. */
final class Utf8 {
    private Utf8() {}

    /** Length of the valid UTF-8 sequence starting at {@code i}, or 0 when the byte there starts none. */
    static int validSequenceLength(byte[] b, int i) {
        int c = b[i] & 0xFF;
        if (c < 0x80) {
            return 1;
        }
        if (c < 0xC2) {
            return 0;
        }
        if (c < 0xE0) {
            return cont(b, i + 1) ? 2 : 0;
        }
        if (c < 0xF0) {
            if (i + 2 >= b.length) {
                return 0;
            }
            int c1 = b[i + 1] & 0xFF;
            if (c == 0xE0 && c1 < 0xA0) {
                return 0;
            }
            if (c == 0xED && c1 >= 0xA0) {
                return 0;
            }
            return cont(b, i + 1) && cont(b, i + 2) ? 3 : 0;
        }
        if (c < 0xF5) {
            if (i + 3 >= b.length) {
                return 0;
            }
            int c1 = b[i + 1] & 0xFF;
            if (c == 0xF0 && c1 < 0x90) {
                return 0;
            }
            if (c == 0xF4 && c1 >= 0x90) {
                return 0;
            }
            return cont(b, i + 1) && cont(b, i + 2) && cont(b, i + 3) ? 4 : 0;
        }
        return 0;
    }

    private static boolean cont(byte[] b, int i) {
        return i < b.length && (b[i] & 0xC0) == 0x80;
    }

    /** UTF-8 of {@code s} with every lone surrogate written as U+FFFD (Java's getBytes would write '?'). */
    static byte[] encode(CharSequence s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | (c >> 6));
                out.write(0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    out.write(0xF0 | (cp >> 18));
                    out.write(0x80 | ((cp >> 12) & 0x3F));
                    out.write(0x80 | ((cp >> 6) & 0x3F));
                    out.write(0x80 | (cp & 0x3F));
                } else {
                    out.write(0xEF);
                    out.write(0xBF);
                    out.write(0xBD);
                }
            } else {
                out.write(0xE0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            }
        }
        return out.toByteArray();
    }
}
