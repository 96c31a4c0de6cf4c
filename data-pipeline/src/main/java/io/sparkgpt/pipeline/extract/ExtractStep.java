package io.sparkgpt.pipeline.extract;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;

/**
 * Charset detection and decoding, then main-content extraction ({@link MainContentExtractor}) of HTML documents;
 * text documents (WET, text files, JSONL) pass through untouched. Counts how each charset was decided.
 * With {@code mainContent=false} the whole visible text is kept (no boilerplate removal).
 */
public final class ExtractStep implements DocumentStep {
    /** @param maxReplacementRatio above this share of U+FFFD characters the page is dropped as undecodable */
    public record Config(boolean mainContent, double maxReplacementRatio) implements java.io.Serializable {
        public static Config defaults() {
            return new Config(true, 0.05);
        }
    }

    private final Config config;
    private transient MainContentExtractor extractor;

    public ExtractStep(Config config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "extract";
    }

    @Override
    public String process(Document d, Counters counters) {
        if (!d.html) {
            counters.increment("text_passthrough");
            return null;
        }
        if (d.raw == null) {
            return "empty_payload";
        }
        CharsetDetection.Result cs = CharsetDetection.detect(d.raw, d.declaredCharset);
        counters.increment("charset_by_" + cs.method());
        String html = CharsetDetection.decode(d.raw, cs.charset());
        d.raw = null;
        long bad = 0;
        for (int i = 0, n = html.length(); i < n; i++) {
            if (html.charAt(i) == '\uFFFD') {
                bad++;
            }
        }
        if (bad > config.maxReplacementRatio() * html.length() && bad > 10) {
            return "undecodable";
        }
        d.signals.put("charset_replacement_ratio", html.isEmpty() ? 0 : (double) bad / html.length());
        if (extractor == null) {
            extractor = new MainContentExtractor();
        }
        String text = config.mainContent() ? extractor.extract(html, d.url) : MainContentExtractor.fullText(html);
        d.htmlText = null;
        d.text = text;
        if (text.isBlank()) {
            return "no_content";
        }
        return null;
    }
}
