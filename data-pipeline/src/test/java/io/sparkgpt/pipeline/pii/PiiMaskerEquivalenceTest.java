package io.sparkgpt.pipeline.pii;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.bench.HtmlCorpus;
import io.sparkgpt.pipeline.extract.MainContentExtractor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PiiMasker}, which tries its patterns only where a match can start, masks exactly what the patterns tried
 * at every index mask ({@link PiiMaskerReference}): same text, same counts. Texts: PostgreSQL manual pages as
 * extracted, hand-made near misses, and random strings over the characters the patterns care about.
 */
class PiiMaskerEquivalenceTest {
    static final String[] HAND = {
        "", "@", "a@b", "a@b.co", "mail me: john.doe+tag@example.co.uk, or x@y.z.", "x".repeat(70) + "@example.com",
        "a".repeat(63) + "@example.com " + "b".repeat(64) + "@example.com " + "c".repeat(65) + "@example.com",
        "@@a@@b.com@", ".a@b.cd", "-a@b.cd", "1.2.3.4 and 10.0.0.255, 256.1.1.1, 1.2.3.4.5, 01.02.03.04, 1.2.3",
        "v15.2.1.0 192.168.001.1 x1.2.3.4 1.2.3.4x 1.2.3.4.", "::1 fe80::1 2001:db8::ff00:42:8329 a:b:c:d:e:f:1:2",
        "1:2:3:4:5:6:7:8 and 12:30:45 at 10:00", "::", ":::", "call +1 (555) 123-4567 or 555.123.4567 or 0123 456 789",
        "+44 20 7946 0958, (01) 234 5678, 2024-01-15 10 20, 1999-12-31-23, 12.34.56.78.90", "+123456789012345678",
        "tel:+49-30-1234567 fax (030) 123 45 67", "ISBN 978-3-16-148410-0 and 3.14159 26535 89793",
    };

    static List<String> texts() throws Exception {
        List<String> out = new ArrayList<>(List.of(HAND));
        Random r = new Random(7);
        String alphabet = "0123456789012345678901234567890123456789abcdefABCDEF.:@-+() _\nxyz%.:@";
        for (int i = 0; i < 20000; i++) {
            int len = r.nextInt(120);
            StringBuilder b = new StringBuilder(len);
            for (int j = 0; j < len; j++) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            out.add(b.toString());
        }
        // digit groups and separators: phone numbers, dates, versions and near misses of each
        for (int i = 0; i < 5000; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = r.nextInt(12); j >= 0; j--) {
                for (int k = r.nextInt(5); k >= 0; k--) {
                    b.append((char) ('0' + r.nextInt(10)));
                }
                b.append(" -.+()x\n".charAt(r.nextInt(8)));
            }
            out.add(b.toString());
        }
        List<HtmlCorpus.Page> pages = HtmlCorpus.pages(TestData.shared().resolve(
                "html/postgresql-doc-15_15.20-html-every-4th-page.tar.gz"));
        MainContentExtractor ex = new MainContentExtractor();
        for (int i = 0; i < pages.size(); i++) { // the bundled subset is every 4th page of the manual
            out.add(ex.extract(new String(pages.get(i).html(), StandardCharsets.UTF_8), "https://x/"
                    + pages.get(i).name()));
        }
        return out;
    }

    @Test
    void sameTextAndCountsAsTheReference() throws Exception {
        PiiMasker fast = new PiiMasker();
        PiiMaskerReference ref = new PiiMaskerReference();
        int[] masked = new int[3];
        for (String t : texts()) {
            PiiMasker.Result a = fast.mask(t);
            PiiMaskerReference.Result b = ref.mask(t);
            assertEquals(b.text(), a.text(), t);
            assertEquals(b.emails(), a.emails(), t);
            assertEquals(b.ips(), a.ips(), t);
            assertEquals(b.phones(), a.phones(), t);
            masked[0] += a.emails();
            masked[1] += a.ips();
            masked[2] += a.phones();
        }
        System.out.printf("pii equivalence: %d emails, %d ips, %d phones masked alike%n", masked[0], masked[1],
                masked[2]);
        assertTrue(masked[0] > 5 && masked[1] > 100 && masked[2] > 100, java.util.Arrays.toString(masked));
    }
}
