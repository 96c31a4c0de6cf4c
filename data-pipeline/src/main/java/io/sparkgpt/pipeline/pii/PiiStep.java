package io.sparkgpt.pipeline.pii;

import io.sparkgpt.pipeline.step.Counters;
import io.sparkgpt.pipeline.step.Document;
import io.sparkgpt.pipeline.step.DocumentStep;

/** Masks e-mail addresses, IP addresses and phone numbers ({@link PiiMasker}); drops nothing, counts what it masked. */
public final class PiiStep implements DocumentStep {
    private transient PiiMasker masker;

    @Override
    public String name() {
        return "pii";
    }

    @Override
    public String process(Document d, Counters counters) {
        if (masker == null) {
            masker = new PiiMasker();
        }
        PiiMasker.Result r = masker.mask(d.text);
        if (r.emails() + r.ips() + r.phones() > 0) {
            d.text = r.text();
            counters.add("emails_masked", r.emails());
            counters.add("ips_masked", r.ips());
            counters.add("phones_masked", r.phones());
            counters.increment("documents_masked");
        }
        return null;
    }
}
