package io.sparkgpt.tokenizer;

import com.knuddels.jtokkit.api.Encoding;
import java.util.Map;

class ProfileMain {
    public static void main(String[] a) {
        BpeTokenizer ours = Corpora.gpt2();
        Encoding ref = Corpora.jtokkitR50k();
        Map<String, String> texts = new java.util.LinkedHashMap<>(Corpora.textFiles());
        texts.putAll(Corpora.warcTexts());
        for (int rep = 0; rep < 2; rep++) {
            long to = 0, tr = 0;
            for (Map.Entry<String, String> e : texts.entrySet()) {
                long t0 = System.nanoTime();
                ours.encode(e.getValue());
                long t1 = System.nanoTime();
                ref.encodeOrdinary(e.getValue());
                long t2 = System.nanoTime();
                to += t1 - t0; tr += t2 - t1;
                if (rep == 1 && (t1 - t0 > 300_000_000L || t2 - t1 > 300_000_000L)) {
                    System.out.printf("%s %d chars ours %.2fs ref %.2fs%n", e.getKey(), e.getValue().length(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
                }
            }
            System.out.printf("total ours %.2fs ref %.2fs%n", to / 1e9, tr / 1e9);
        }
    }
}
