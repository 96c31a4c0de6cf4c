package io.sparkgpt.pipeline.extract;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;

/**
 * Record selection: HTTP 200 responses with an HTML content type, and text records (WET conversions, text files,
 * JSONL lines). Anything else (images, scripts, redirects, errors) and payloads over the size cap are dropped here.
 */
public final class SelectStep implements DocumentStep {
    @Override
    public String name() {
        return "select";
    }

    @Override
    public String process(Document d, Counters counters) {
        if (d.truncated) {
            return "too_large";
        }
        if (d.httpStatus != 200) {
            return d.httpStatus >= 300 && d.httpStatus < 400 ? "http_redirect" : "http_status_not_200";
        }
        if (d.html) {
            if (d.raw == null || d.raw.length == 0) {
                return "empty_payload";
            }
            counters.increment("html");
            return null;
        }
        if (d.text != null) {
            counters.increment("text");
            return d.text.isBlank() ? "empty_text" : null;
        }
        return "not_html";
    }
}
