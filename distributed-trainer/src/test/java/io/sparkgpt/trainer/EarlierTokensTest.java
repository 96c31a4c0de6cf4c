package io.sparkgpt.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --mix-earlier in local[2]: the share of earlier tokens, the same sample every time, and bad lists. */
class EarlierTokensTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Storage storage = Storage.local();
    static String fresh;
    static Path earlier;

    @BeforeAll
    static void tokens() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("earlier-tokens-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        TestTokens.write(spark, tmp.resolve("new"), 60_000);
        TestTokens.write(spark, tmp.resolve("old"), 400_000);
        fresh = tmp.resolve("new/train").toString();
        earlier = Files.writeString(tmp.resolve("earlier.txt"), tmp.resolve("old/train") + "\n\n");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static EarlierTokens.Mixed mix(double fraction, Path list) {
        return EarlierTokens.mix(spark, storage, fresh, fraction, list == null ? null : list.toString(), 1337);
    }

    @Test
    void earlierDocumentsMakeUpTheAskedShareOfTheTokens() {
        EarlierTokens.Mixed none = mix(0, null);
        assertEquals(Map.of(), none.summary());
        long newDocs = none.rows().count();

        EarlierTokens.Mixed half = mix(0.5, earlier);
        Map<String, Object> s = half.summary();
        long newTokens = (Long) s.get("new_tokens");
        long earlierTokens = (Long) s.get("earlier_tokens");
        assertEquals(List.of(tmp.resolve("old/train").toString()), s.get("folders"));
        // documents (~3k tokens each) are whole units: the share is met to within a few of them
        assertTrue(earlierTokens > 0.8 * newTokens && earlierTokens < 1.2 * newTokens, s.toString());
        assertTrue((Long) s.get("earlier_tokens_available") > 3 * newTokens, s.toString());
        long tokens = half.rows().selectExpr("sum(size(tokens))").first().getLong(0);
        assertEquals(newTokens + earlierTokens, tokens);
        assertTrue(half.rows().count() > newDocs);

        // the same documents on every call (a resumed run deals the same shards)
        List<Row> a = half.rows().orderBy("doc_id").collectAsList();
        List<Row> b = mix(0.5, earlier).rows().orderBy("doc_id").collectAsList();
        assertEquals(a, b);

        // a smaller share takes fewer (whole documents of ~3k tokens: a few of them, so no tighter bound)
        long fifth = (Long) mix(0.2, earlier).summary().get("earlier_tokens");
        assertTrue(fifth > 0 && fifth < earlierTokens, fifth + " of " + newTokens);
    }

    @Test
    void anEmptyListMixesNothingAndBadInputIsNamed() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "");
        EarlierTokens.Mixed m = mix(0.5, empty);
        assertEquals(0L, m.summary().get("earlier_tokens"));
        assertEquals(mix(0, null).rows().count(), m.rows().count());

        UsageException noList = assertThrows(UsageException.class, () -> mix(0.5, null));
        assertTrue(noList.getMessage().contains("--earlier"), noList.getMessage());
        assertThrows(UsageException.class, () -> mix(1.0, earlier));
        assertThrows(UsageException.class, () -> mix(-0.1, earlier));
        Path gone = Files.writeString(tmp.resolve("gone.txt"), tmp.resolve("no-such-cycle/train") + "\n");
        UsageException missing = assertThrows(UsageException.class, () -> mix(0.5, gone));
        assertTrue(missing.getMessage().contains("no-such-cycle"), missing.getMessage());
        Exception noFile = assertThrows(RuntimeException.class, () -> mix(0.5, tmp.resolve("absent.txt")));
        assertTrue(noFile.getMessage().contains("absent.txt"), noFile.getMessage());
    }
}
