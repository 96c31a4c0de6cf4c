package io.sparkgpt.pipeline.pii;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PiiMasker as first written (every regex tried at every index of the text), kept as the reference that the
 * faster PiiMasker must agree with exactly (PiiMaskerEquivalenceTest). Masks personal data in text: e-mail addresses, IPv4 and IPv6 addresses, phone numbers. Each match becomes a
 * placeholder ({@code <EMAIL>}, {@code <IP>}, {@code <PHONE>}) so that the text keeps its shape. Phone numbers
 * need 9 to 15 digits in groups (E.164's range) and separators, so dates, years and version numbers stay.
 */
final class PiiMaskerReference {
    public static final String EMAIL = "<EMAIL>";
    public static final String IP = "<IP>";
    public static final String PHONE = "<PHONE>";

    private static final Pattern EMAIL_RE = Pattern.compile(
            "(?<![\\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\\.){1,8}[A-Za-z]{2,24}\\b");
    private static final Pattern IPV4_RE = Pattern.compile(
            "(?<![\\d.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?![\\d.]\\d)");
    private static final Pattern IPV6_RE = Pattern.compile(
            "(?<![\\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\\w:])"
                    + "|(?<![\\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}(?![\\w:])");
    private static final Pattern PHONE_RE = Pattern.compile(
            "(?<![\\w+])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{2,4}(?:[ .-]\\d{2,4}){1,4}(?![\\w-])");

    /** Counts of what one call masked. */
    record Result(String text, int emails, int ips, int phones) {}

    public Result mask(String text) {
        int[] n = new int[3];
        String t = text;
        if (t.indexOf('@') >= 0) {
            t = replace(EMAIL_RE, t, EMAIL, n, 0, false);
        }
        t = replace(IPV4_RE, t, IP, n, 1, false);
        if (t.indexOf("::") >= 0 || t.indexOf(':') >= 0) {
            t = replace(IPV6_RE, t, IP, n, 1, false);
        }
        t = replace(PHONE_RE, t, PHONE, n, 2, true);
        return new Result(t, n[0], n[1], n[2]);
    }

    private static String replace(Pattern p, String text, String placeholder, int[] n, int slot, boolean phone) {
        Matcher m = p.matcher(text);
        StringBuilder b = null;
        int last = 0;
        while (m.find()) {
            if (phone && !plausiblePhone(m.group())) {
                continue;
            }
            if (b == null) {
                b = new StringBuilder(text.length());
            }
            b.append(text, last, m.start()).append(placeholder);
            last = m.end();
            n[slot]++;
        }
        if (b == null) {
            return text;
        }
        b.append(text, last, text.length());
        return b.toString();
    }

    private static boolean plausiblePhone(String s) {
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                digits++;
            }
        }
        if (digits < 9 || digits > 15) {
            return false;
        }
        // dotted groups look like versions or IPs, dashed year-month-day like dates, not phone numbers
        return !s.matches("\\d{1,4}(\\.\\d{1,4})+") && !s.matches("(19|20)\\d\\d-[01]\\d-[0-3]\\d.*");
    }
}
