package io.sparkgpt.pipeline.pii;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks personal data in text: e-mail addresses, IPv4 and IPv6 addresses, phone numbers. Each match becomes a
 * placeholder ({@code <EMAIL>}, {@code <IP>}, {@code <PHONE>}) so that the text keeps its shape. Phone numbers
 * need 9 to 15 digits in groups (E.164's range) and separators, so dates, years and version numbers stay.
 */
public final class PiiMasker {
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
    public record Result(String text, int emails, int ips, int phones) {}

    public Result mask(String text) {
        int[] n = new int[3];
        String t = text;
        if (t.indexOf('@') >= 0) {
            t = replace(EMAIL_RE, PiiMasker::emailStart, t, EMAIL, n, 0, false);
        }
        t = replace(IPV4_RE, PiiMasker::ipv4Start, t, IP, n, 1, false);
        if (t.indexOf("::") >= 0 || colons(t) >= 7) {
            t = replace(IPV6_RE, PiiMasker::ipv6Start, t, IP, n, 1, false);
        }
        t = replace(PHONE_RE, PiiMasker::phoneStart, t, PHONE, n, 2, true);
        return new Result(t, n[0], n[1], n[2]);
    }

    /**
     * Where a match of a pattern can begin: the first index {@code >= from} that passes a cheap test every match's
     * first characters pass, or -1. Trying the regex only there gives the same matches as {@link Matcher#find()}
     * (which tries every index in turn, the lookbehind first): most characters of a text are letters and spaces
     * that no pattern can start on, and those tries were most of the step's time.
     */
    @FunctionalInterface
    interface Starts {
        int next(String text, int from);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isAlnum(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** An e-mail starts with [A-Za-z0-9] and has its '@' (the first '@' after its start) within 64 characters. */
    static int emailStart(String t, int from) {
        int n = t.length();
        int i = from;
        while (i < n) {
            int at = t.indexOf('@', i + 1);
            if (at < 0) {
                return -1;
            }
            i = Math.max(i, at - 64);
            for (; i < at; i++) {
                if (isAlnum(t.charAt(i))) {
                    return i;
                }
            }
            i = at + 1;
        }
        return -1;
    }

    /** An IPv4 address starts with a digit and has a '.' after its first 1 to 3 digits. */
    static int ipv4Start(String t, int from) {
        return groupStart(t, from, false, 3, '.');
    }

    /** An IPv6 address starts with a hex digit and has a ':' after its first 1 to 4 hex digits. */
    static int ipv6Start(String t, int from) {
        return groupStart(t, from, true, 4, ':');
    }

    /** First i >= from where 1 to {@code maxUnits} digits (hex digits if {@code hex}) are followed by {@code sep}. */
    private static int groupStart(String t, int from, boolean hex, int maxUnits, char sep) {
        int n = t.length();
        for (int i = from; i < n; i++) {
            if (hex ? isHex(t.charAt(i)) : isDigit(t.charAt(i))) {
                for (int j = i + 1; j < Math.min(n, i + maxUnits + 1); j++) {
                    char c = t.charAt(j);
                    if (c == sep) {
                        return i;
                    }
                    if (!(hex ? isHex(c) : isDigit(c))) {
                        break;
                    }
                }
            }
        }
        return -1;
    }

    /** A phone number starts with '+', '(' or a digit. */
    static int phoneStart(String t, int from) {
        int n = t.length();
        for (int i = from; i < n; i++) {
            char c = t.charAt(i);
            if (isDigit(c) || c == '+' || c == '(') {
                return i;
            }
        }
        return -1;
    }

    private static int colons(String t) {
        int c = 0;
        for (int i = t.indexOf(':'); i >= 0; i = t.indexOf(':', i + 1)) {
            c++;
        }
        return c;
    }

    /**
     * The next match at or after {@code from}, trying the pattern only where {@code starts} allows; the region
     * starts at the try and its bounds are transparent, so lookbehinds see the text before it as find() does.
     */
    private static boolean find(Matcher m, Starts starts, String text, int from) {
        for (int i = starts.next(text, from); i >= 0; i = starts.next(text, i + 1)) {
            m.region(i, text.length());
            if (m.lookingAt()) {
                return true;
            }
        }
        return false;
    }

    private static String replace(Pattern p, Starts starts, String text, String placeholder, int[] n, int slot,
                                  boolean phone) {
        Matcher m = p.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
        StringBuilder b = null;
        int last = 0;
        int from = 0;
        while (from <= text.length() && find(m, starts, text, from)) {
            from = m.end() > m.start() ? m.end() : m.end() + 1;
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
