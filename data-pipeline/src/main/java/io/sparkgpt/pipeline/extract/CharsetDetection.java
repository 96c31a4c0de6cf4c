package io.sparkgpt.pipeline.extract;

import com.ibm.icu.text.CharsetDetector;
import com.ibm.icu.text.CharsetMatch;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides the charset of an HTML payload the way browsers do, in order: a byte-order mark, the HTTP header's
 * charset, a {@code <meta charset>} / {@code http-equiv} declaration in the first 4 KB, then ICU's statistical
 * detector on the first 16 KB. A declared charset is checked: a page that says UTF-8 but is not valid UTF-8 (common
 * on old Chinese sites) goes to the detector. Legacy names map to their WHATWG supersets (GB2312 -> GBK ->
 * GB18030, ISO-8859-1 -> windows-1252, Shift_JIS -> windows-31j, EUC-KR -> x-windows-949, Big5 -> Big5-HKSCS).
 */
public final class CharsetDetection {
    private static final Pattern META = Pattern.compile(
            "<meta[^>]{0,300}?charset\\s*=\\s*[\"']?\\s*([A-Za-z0-9_:.+-]{2,40})", Pattern.CASE_INSENSITIVE);

    /** The decision and where it came from (bom, http, meta, detector, default). */
    public record Result(Charset charset, String method) {}

    private CharsetDetection() {}

    public static Result detect(byte[] b, String httpCharset) {
        Charset bom = bom(b);
        if (bom != null) {
            return new Result(bom, "bom");
        }
        Charset declared = lookup(httpCharset);
        if (declared != null && plausible(b, declared)) {
            return new Result(declared, "http");
        }
        int n = Math.min(b.length, 4096);
        String head = new String(b, 0, n, StandardCharsets.ISO_8859_1);
        Matcher m = META.matcher(head);
        if (m.find()) {
            Charset meta = lookup(m.group(1));
            if (meta != null && plausible(b, meta)) {
                return new Result(meta, "meta");
            }
        }
        if (isAscii(b, Math.min(b.length, 1 << 16))) {
            return new Result(StandardCharsets.UTF_8, "ascii");
        }
        if (validUtf8(b, Math.min(b.length, 1 << 16))) {
            return new Result(StandardCharsets.UTF_8, "utf8-valid");
        }
        try {
            CharsetDetector d = new CharsetDetector();
            // the detector reads bytes only; markup is stripped so that tag names do not vote for Latin-1
            d.enableInputFilter(true);
            d.setText(b.length > 16384 ? java.util.Arrays.copyOf(b, 16384) : b);
            CharsetMatch best = d.detect();
            if (best != null) {
                Charset c = lookup(best.getName());
                if (c != null) {
                    return new Result(c, "detector");
                }
            }
        } catch (RuntimeException ignored) {
            // the detector failing on odd bytes is not a reason to drop the page: fall through to the default
        }
        return new Result(Charset.forName("windows-1252"), "default");
    }

    public static String decode(byte[] b, Charset cs) {
        int start = 0;
        if (cs == StandardCharsets.UTF_8 && b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB
                && (b[2] & 0xff) == 0xBF) {
            start = 3;
        }
        return new String(b, start, b.length - start, cs);
    }

    /** Maps a declared name to the charset Java should decode it with; null when unknown. */
    public static Charset lookup(String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        String mapped = switch (n) {
            case "gb2312", "gbk", "x-gbk", "gb-2312", "cp936", "chinese", "csgb2312", "iso-ir-58", "x-euc-cn",
                 "euc-cn", "gb18030" -> "GB18030";
            case "big5", "big-5", "x-x-big5", "cn-big5", "csbig5", "big5-hkscs" -> "Big5-HKSCS";
            case "shift-jis", "sjis", "x-sjis", "ms-kanji", "ms932", "windows-31j", "csshiftjis", "cp932" ->
                    "windows-31j";
            case "euc-kr", "ks-c-5601-1987", "ksc5601", "cseuckr", "windows-949", "cp949" -> "x-windows-949";
            case "iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1", "l1", "cp819",
                 "windows-1252", "cp1252" -> "windows-1252";
            case "utf8", "unicode-1-1-utf-8", "utf-8" -> "UTF-8";
            case "utf-16", "unicode", "ucs-2" -> "UTF-16";
            default -> n;
        };
        try {
            return Charset.forName(mapped);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Charset bom(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
            return StandardCharsets.UTF_8;
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) {
            return StandardCharsets.UTF_16BE;
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE) {
            return StandardCharsets.UTF_16LE;
        }
        return null;
    }

    /** A declared UTF-8 must be valid UTF-8; a declared single-byte charset on valid non-ASCII UTF-8 is a lie. */
    private static boolean plausible(byte[] b, Charset cs) {
        int n = Math.min(b.length, 1 << 16);
        if (cs == StandardCharsets.UTF_8) {
            return validUtf8(b, n);
        }
        if (!isAscii(b, n) && validUtf8(b, n) && !cs.name().startsWith("UTF")) {
            return false;
        }
        if (cs.name().equals("GB18030") || cs.name().equals("Big5-HKSCS") || cs.name().equals("windows-31j")
                || cs.name().equals("x-windows-949")) {
            return decodesCleanly(b, n, cs);
        }
        return true;
    }

    private static boolean decodesCleanly(byte[] b, int n, Charset cs) {
        CharsetDecoder d = cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        // the sample may cut a multi-byte character at its end: trim a few bytes
        int len = n < b.length ? Math.max(0, n - 4) : n;
        try {
            d.decode(java.nio.ByteBuffer.wrap(b, 0, len));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            // a few bad bytes are normal on real pages; more than a handful says the declaration is wrong
            String s = new String(b, 0, len, cs);
            long bad = s.chars().filter(c -> c == 0xFFFD).count();
            return bad * 200 < s.length();
        }
    }

    private static boolean isAscii(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Strict UTF-8 check of the first n bytes (a sequence cut at the end of the sample is accepted). */
    static boolean validUtf8(byte[] b, int n) {
        int i = 0;
        while (i < n) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int extra;
            if (c >= 0xC2 && c <= 0xDF) {
                extra = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                extra = 2;
            } else if (c >= 0xF0 && c <= 0xF4) {
                extra = 3;
            } else {
                return false;
            }
            if (i + extra >= n) {
                return n < b.length || i + extra < b.length;
            }
            for (int k = 1; k <= extra; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += extra + 1;
        }
        return true;
    }
}
