package io.sparkgpt.pipeline.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class TextTokensJobTest {
    @Test
    void documentIdsDependOnTheFileNameNotItsFolder() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-1");
        String a = TextTokensJob.docId(sha, "/work/main/../shared/data/text/en/tinyshakespeare-input.txt", 7);
        assertEquals(a, TextTokensJob.docId(sha, "/work/h2/../shared/data/text/en/tinyshakespeare-input.txt", 7));
        assertEquals(a, TextTokensJob.docId(sha, "s3a://bucket/corpus/tinyshakespeare-input.txt", 7));
        assertNotEquals(a, TextTokensJob.docId(sha, "/data/tinyshakespeare-input.txt", 8));
        assertNotEquals(a, TextTokensJob.docId(sha, "/data/other.txt", 7));
    }
}
