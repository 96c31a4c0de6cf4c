package io.sparkgpt.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The input formats, the hh-rlhf conversion and every kind of bad line (named, counted, skipped). */
class ChatJsonlTest {
    private static BufferedReader lines(String... l) {
        return new BufferedReader(new StringReader(String.join("\n", l)));
    }

    @Test
    void readsMessagesAndPromptCompletionAndHhDialogues() throws IOException {
        BadRecords bad = new BadRecords();
        List<ChatExample> ex = ChatJsonl.readExamples(lines(
                "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"q\"},"
                        + " {\"role\": \"assistant\", \"content\": \"a\"}]}",
                "",
                "{\"prompt\": \"2+3=\", \"completion\": \"5\"}",
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"hi\"}], \"completion\": [{\"role\": \"assistant\", "
                        + "\"content\": \"yo\"}]}",
                "{\"chosen\": \"\\n\\nHuman: hello\\n\\nAssistant: hi there\", \"rejected\": \"\\n\\nHuman: hello"
                        + "\\n\\nAssistant: go away\"}"), "f.jsonl", bad);
        assertEquals(0, bad.total(), bad.messages().toString());
        assertEquals(4, ex.size());
        assertEquals("f.jsonl:1", ex.get(0).origin());
        assertEquals(0, ex.get(0).firstTarget());
        assertEquals("f.jsonl:3", ex.get(1).origin());
        assertEquals(List.of(ChatMessage.user("2+3="), ChatMessage.assistant("5")), ex.get(1).messages());
        assertEquals(1, ex.get(1).firstTarget());
        assertEquals(List.of(ChatMessage.user("hello"), ChatMessage.assistant("hi there")), ex.get(3).messages());
    }

    @Test
    void readsPreferencePairsExplicitImplicitAndHh() throws IOException {
        BadRecords bad = new BadRecords();
        List<PreferencePair> p = ChatJsonl.readPreferences(lines(
                "{\"prompt\": \"q\", \"chosen\": \"good\", \"rejected\": \"bad\"}",
                "{\"chosen\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"g\"}],"
                        + " \"rejected\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", "
                        + "\"content\": \"b\"}]}",
                "{\"chosen\": \"\\n\\nHuman: a\\n\\nAssistant: b\\n\\nHuman: c\\n\\nAssistant: good\","
                        + " \"rejected\": \"\\n\\nHuman: a\\n\\nAssistant: b\\n\\nHuman: c\\n\\nAssistant:\"}",
                "{\"chosen\": \"\\n\\nHuman: a\\n\\nAssistant: x\", \"rejected\": \"\\n\\nHuman: OTHER\\n\\nAssistant: y\"}"),
                "p.jsonl", bad);
        assertEquals(3, p.size());
        assertEquals(new PreferencePair("p.jsonl:1", List.of(ChatMessage.user("q")),
                List.of(ChatMessage.assistant("good")), List.of(ChatMessage.assistant("bad"))), p.get(0));
        assertEquals(List.of(ChatMessage.assistant("g")), p.get(1).chosen());
        assertEquals(List.of(ChatMessage.user("a"), ChatMessage.assistant("b"), ChatMessage.user("c")), p.get(2).prompt());
        assertEquals(List.of(ChatMessage.assistant("")), p.get(2).rejected());
        assertEquals(3, p.get(2).chosenExample().firstTarget());
        assertEquals(Map.of(BadRecords.PROMPT_MISMATCH, 1L), bad.counts());
        assertTrue(bad.messages().get(0).startsWith("p.jsonl:4: prompt_mismatch"));
    }

    @Test
    void badLinesAreNamedCountedAndSkipped() throws IOException {
        BadRecords bad = new BadRecords();
        List<ChatExample> ex = ChatJsonl.readExamples(lines(
                "{\"prompt\": \"ok\", \"completion\": \"fine\"}",
                "this is not json",
                "{\"prompt\": \"no completion\"}",
                "{\"messages\": []}",
                "{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}, {\"role\": \"assistant\", \"content\": \"y\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"only a question\"}]}",
                "{\"messages\": \"a string\"}",
                "[1, 2]",
                "{\"text\": \"unknown shape\"}",
                "{\"prompt\": \"still read after the damage\", \"completion\": \"yes\"}"), "bad.jsonl", bad);
        assertEquals(2, ex.size());
        assertEquals("bad.jsonl:10", ex.get(1).origin());
        assertEquals(Map.of(BadRecords.NOT_JSON, 2L, BadRecords.MISSING_FIELD, 2L, BadRecords.EMPTY_CONVERSATION, 1L,
                BadRecords.UNKNOWN_ROLE, 1L, BadRecords.NO_ASSISTANT_TURN, 1L, BadRecords.WRONG_TYPE, 1L), bad.counts());
        assertEquals(8, bad.total());
        List<String> m = bad.messages();
        assertTrue(m.get(0).startsWith("bad.jsonl:2: not_json"), m.get(0));
        assertTrue(m.get(1).startsWith("bad.jsonl:3: missing_field") && m.get(1).contains("completion"), m.get(1));
        assertTrue(m.get(3).startsWith("bad.jsonl:5: unknown_role") && m.get(3).contains("wizard"), m.get(3));
    }

    /** The repository's test data (data/test: the build passes its path as sparkgpt.test.data). */
    static Path testData() {
        String p = System.getProperty("sparkgpt.test.data");
        if (p == null) {
            throw new IllegalStateException("the system property sparkgpt.test.data (the repository's data/test) is "
                    + "not set: run the tests through Maven");
        }
        return Path.of(p);
    }

    @Test
    void theSharedHhRlhfTestSetConvertsToPairs() {
        Path hh = testData().resolve("eval/hh-rlhf-harmless-base-test.jsonl.gz");
        BadRecords bad = new BadRecords();
        List<PreferencePair> pairs = ChatJsonl.readPreferences(hh, bad);
        assertEquals(2312, pairs.size() + bad.total(), "every line is read or named");
        assertTrue(pairs.size() > 2200, pairs.size() + " pairs, skipped " + bad.counts());
        PreferencePair first = pairs.get(0);
        assertEquals(ChatMessage.user("what are some pranks with a pen i can do?"), first.prompt().get(0));
        assertTrue(first.chosen().get(0).isAssistant());
        assertTrue(first.prompt().size() % 2 == 1, "the prompt alternates and ends with the user");
    }
}
