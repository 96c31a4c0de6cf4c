package io.sparkgpt.pipeline.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.pipeline.TestData;
import io.sparkgpt.pipeline.preprocess.Pipelines;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * 240 corrupted variants of the sample WARC files (truncations, flipped bytes, zeroed and garbage runs, inserted and
 * deleted bytes), each read through the reader: it never throws, and every record that lies wholly before the first
 * damaged byte comes out exactly as from the intact file.
 */
class WarcFuzzTest {
    /** Plain and gzip WARC, WET, chunked bodies: the sample files of every framing the reader handles. */
    private static final String[] FILES = {"resiliparse-warcfile.warc.gz", "warcio-example-iana.org-chunked.warc",
        "npm-warc-CC-MAIN-2014-35-sample.warc", "whirlwind-CC-MAIN-2024-22.warc.gz",
        "npm-warc-CC-MAIN-2014-35-sample.warc.wet", "jwarc-cc.warc.gz"};

    record Ref(String id, long offset, int rawLength, String text) {}

    @Test
    void corruptedVariantsNeverCrashAndKeepEveryRecordBeforeTheDamage() throws Exception {
        Random rnd = new Random(20261127L);
        int variants = 0;
        int checkedRecords = 0;
        for (String f : FILES) {
            byte[] good = Files.readAllBytes(TestData.warc(f));
            List<Ref> ref = refs(f, good);
            assertTrue(!ref.isEmpty(), f);
            // where each record ends: the next record's start, or the file's end
            long[] ends = new long[ref.size()];
            for (int i = 0; i < ref.size(); i++) {
                ends[i] = i + 1 < ref.size() ? ref.get(i + 1).offset() : good.length;
            }
            for (int v = 0; v < 40; v++) {
                int kind = v % 6;
                int pos = 1 + rnd.nextInt(good.length - 1);
                byte[] bad = corrupt(good, kind, pos, rnd);
                Map<String, Long> c = new TreeMap<>();
                List<ReadItem> items = Pipelines.read(f, bad, ReadOptions.defaults(), c); // must not throw
                variants++;
                // records wholly before the damage: first record ends <= pos... conservative: ends < pos
                List<Ref> got = new ArrayList<>();
                for (ReadItem i : items) {
                    if (!i.isError()) {
                        got.add(new Ref(i.document().id, i.document().offset,
                                i.document().raw == null ? -1 : i.document().raw.length, i.document().text));
                    }
                }
                for (int r = 0; r < ref.size(); r++) {
                    // a record's end is also where the next one's header begins: keep a margin for the gzip member
                    // trailer and the WARC record separator, which belong to the record before
                    if (ends[r] < pos) {
                        Ref want = ref.get(r);
                        assertTrue(r < got.size(), f + " variant " + v + " (kind " + kind + " at " + pos + "): record "
                                + r + " at " + want.offset() + " lost; got " + got.size() + " of " + ref.size());
                        assertEquals(want, got.get(r), f + " variant " + v + " kind " + kind + " at " + pos);
                        checkedRecords++;
                    }
                }
            }
        }
        System.out.printf("fuzz: %d variants, %d records before the damage checked%n", variants, checkedRecords);
        assertTrue(variants >= 200);
        assertTrue(checkedRecords > 300, "checked " + checkedRecords);
    }

    /**
     * Damage in the middle of a file (flipped bytes, zeroed or garbage runs, inserted or deleted bytes): the reader
     * resyncs at the next record start, so every record that begins after the damage comes out as from the intact
     * file (same id, payload and text; offsets shifted by what was inserted or deleted).
     */
    @Test
    void recordsAfterTheDamageAreRecovered() throws Exception {
        Random rnd = new Random(20261128L);
        int variants = 0;
        int recovered = 0;
        for (String f : FILES) {
            byte[] good = Files.readAllBytes(TestData.warc(f));
            List<Ref> ref = refs(f, good);
            for (int v = 0; v < 30; v++) {
                int kind = 1 + v % 5;
                int pos = 1 + rnd.nextInt(good.length - 1);
                byte[] bad = corrupt(good, kind, pos, rnd);
                long damageEnd = kind <= 3 ? lastDifference(good, bad) : pos;
                long shift = bad.length - good.length;
                Map<String, Long> c = new TreeMap<>();
                List<Ref> got = new ArrayList<>();
                for (ReadItem i : Pipelines.read(f, bad, ReadOptions.defaults(), c)) {
                    if (!i.isError()) {
                        got.add(new Ref(i.document().id, i.document().offset,
                                i.document().raw == null ? -1 : i.document().raw.length, i.document().text));
                    }
                }
                variants++;
                for (Ref want : ref) {
                    // deleted bytes may eat into the next record's start: count from where the deletion ends
                    long damagedUntil = kind == 5 ? damageEnd - shift : damageEnd;
                    if (want.offset() > damagedUntil + 2) {
                        Ref moved = new Ref(want.id(), want.offset() + shift, want.rawLength(), want.text());
                        assertTrue(got.contains(moved), f + " variant " + v + " (kind " + kind + ", damage "
                                + pos + ".." + damageEnd + "): record at " + want.offset() + " not recovered; "
                                + c);
                        recovered++;
                    }
                }
                // no record comes out twice
                assertEquals(got.size(), got.stream().map(Ref::offset).distinct().count(), f + " variant " + v);
            }
        }
        System.out.printf("resync: %d variants, %d records after the damage recovered%n", variants, recovered);
        assertTrue(recovered > 250, "recovered " + recovered);
    }

    private static long lastDifference(byte[] a, byte[] b) {
        for (int i = a.length - 1; i >= 0; i--) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return 0;
    }

    private static List<Ref> refs(String name, byte[] b) throws Exception {
        List<Ref> out = new ArrayList<>();
        for (ReadItem i : Pipelines.read(name, b, ReadOptions.defaults(), new TreeMap<>())) {
            assertTrue(!i.isError(), name + " intact file has an error: " + i);
            out.add(new Ref(i.document().id, i.document().offset,
                    i.document().raw == null ? -1 : i.document().raw.length, i.document().text));
        }
        return out;
    }

    static byte[] corrupt(byte[] good, int kind, int pos, Random rnd) {
        switch (kind) {
            case 0: // truncation
                return java.util.Arrays.copyOf(good, pos);
            case 1: { // flipped bytes
                byte[] b = good.clone();
                for (int i = 0; i < 1 + rnd.nextInt(8) && pos + i < b.length; i++) {
                    b[pos + i] ^= (byte) (1 + rnd.nextInt(255));
                }
                return b;
            }
            case 2: { // zeroed run
                byte[] b = good.clone();
                java.util.Arrays.fill(b, pos, Math.min(b.length, pos + 1 + rnd.nextInt(4096)), (byte) 0);
                return b;
            }
            case 3: { // garbage run
                byte[] b = good.clone();
                for (int i = pos; i < Math.min(b.length, pos + 1 + rnd.nextInt(2048)); i++) {
                    b[i] = (byte) rnd.nextInt(256);
                }
                return b;
            }
            case 4: { // inserted garbage
                byte[] ins = new byte[1 + rnd.nextInt(300)];
                rnd.nextBytes(ins);
                byte[] b = new byte[good.length + ins.length];
                System.arraycopy(good, 0, b, 0, pos);
                System.arraycopy(ins, 0, b, pos, ins.length);
                System.arraycopy(good, pos, b, pos + ins.length, good.length - pos);
                return b;
            }
            default: { // deleted bytes (a record shorter than its Content-Length says)
                int n = Math.min(good.length - pos, 1 + rnd.nextInt(500));
                byte[] b = new byte[good.length - n];
                System.arraycopy(good, 0, b, 0, pos);
                System.arraycopy(good, pos + n, b, pos, good.length - pos - n);
                return b;
            }
        }
    }
}
