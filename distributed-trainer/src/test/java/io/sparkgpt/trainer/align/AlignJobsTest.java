package io.sparkgpt.trainer.align;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.align.RewardModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three alignment jobs in local[2] with 2 workers on tiny inputs: they run, skip and count bad records, write
 * the run layout of pretraining, and resume bit for bit.
 */
class AlignJobsTest {
    @TempDir
    static Path tmp;
    static Path prefs;
    static Path arith;

    @BeforeAll
    static void data() throws Exception {
        AlignTestData.Inputs in = AlignTestData.forLocalJobs(tmp);
        prefs = in.prefs();
        arith = in.arith();
    }

    static List<String> common(Path data, Path out, int rounds, String... extra) {
        List<String> a = new ArrayList<>(List.of("--data", data.toString(), "--tokenizer",
                tmp.resolve("tokenizer").toString(), "--init", tmp.resolve("init.ckpt").toString(), "--output",
                out.toString(), "--workers", "2", "--max-rounds", String.valueOf(rounds), "--local-steps", "1",
                "--batch-size", "4", "--lr", "3e-3", "--decay-steps", "4", "--val-percent", "25", "--seed", "7"));
        a.addAll(List.of(extra));
        return a;
    }

    static JsonNode json(Path f) throws Exception {
        return Json.mapper().readTree(Files.readString(f));
    }

    /** Runs 2 rounds straight and 1 + resume: the same parameters (sha256 in summary.json). */
    static void runAndResume(Supplier<Callable<Integer>> job, Path data, String name, String... extra)
            throws Exception {
        Path a = tmp.resolve(name + "-a"), b = tmp.resolve(name + "-b");
        assertEquals(0, Cli.execute(job.get(), common(data, a, 2, extra).toArray(String[]::new)));
        JsonNode s = json(a.resolve("summary.json"));
        assertEquals(2, s.get("rounds").asInt());
        assertTrue(Files.exists(a.resolve("_SUCCESS")) && Files.exists(a.resolve("loss.png"))
                && Files.exists(a.resolve("metrics.png")) && Files.exists(a.resolve("model/model.ckpt")));
        assertEquals(2, Files.readAllLines(a.resolve("metrics.jsonl")).size());
        assertEquals(0, Cli.execute(job.get(), common(data, b, 1, extra).toArray(String[]::new)));
        List<String> resume = common(data, b, 2, extra);
        resume.add("--resume");
        assertEquals(0, Cli.execute(job.get(), resume.toArray(String[]::new)));
        assertEquals(s.get("paramsSha256").asText(), json(b.resolve("summary.json")).get("paramsSha256").asText(),
                name + ": resumed run differs");
    }

    @Test
    void rewardJobSkipsBadLinesAndResumesBitForBit() throws Exception {
        runAndResume(RewardJob::new, prefs, "reward");
        Path a = tmp.resolve("reward-a");
        JsonNode st = json(a.resolve("data-stats.json"));
        assertEquals(40, st.get("train").asInt() + st.get("held_out").asInt(), st.toString());
        assertEquals(5, st.get("skipped").asInt(), st.toString());
        JsonNode by = st.get("skipped_by_reason");
        for (String r : List.of("not_json", "missing_field", "empty_conversation", "unknown_role",
                "prompt_too_long")) {
            assertTrue(by.has(r), "no " + r + " in " + by);
        }
        assertTrue(st.get("skipped_examples").toString().contains("prefs.jsonl:"), "lines are named: " + st);
        JsonNode last = Json.mapper().readTree(Files.readAllLines(a.resolve("metrics.jsonl")).get(1));
        assertTrue(last.toString().contains("val_accuracy") && last.toString().contains("baseline_longer"),
                last.toString());
        Checkpoint c = Checkpoint.load(Storage.local(), a.resolve("model/model.ckpt").toString());
        assertNotNull(c.meta().get(RewardModel.HEAD_KEY), "the head is saved with the trunk");
    }

    @Test
    void dpoJobRunsAndResumesBitForBit() throws Exception {
        runAndResume(DpoJob::new, prefs, "dpo", "--beta", "0.5");
        JsonNode last = Json.mapper().readTree(Files.readAllLines(tmp.resolve("dpo-a/metrics.jsonl")).get(1));
        assertTrue(last.toString().contains("val_logp_margin"), last.toString());
    }

    /**
     * On-policy pairs from the untrained --init's own answers to the arithmetic prompts, with the SFT term: every
     * usable prompt is counted once (all right, all wrong or mixed), one pair per prompt with a wrong answer, and the
     * run resumes bit for bit (the draws do not depend on the run's history).
     */
    @Test
    void dpoOnPolicyPairsRunAndResumeBitForBit() throws Exception {
        runAndResume(DpoJob::new, arith, "dpo-onpolicy", "--beta", "0.5", "--on-policy", "3", "--max-new-tokens",
                "3", "--sft-weight", "0.5");
        Path a = tmp.resolve("dpo-onpolicy-a");
        JsonNode st = json(a.resolve("data-stats.json"));
        JsonNode op = json(a.resolve("on-policy.json"));
        assertEquals(3, op.get("answers_per_prompt").asInt());
        for (String[] half : new String[][] {{"train", "train"}, {"held_out", "held_out"}}) {
            JsonNode h = op.get(half[0]);
            assertEquals(st.get(half[1]).asInt(), h.get("prompts_all_right").asInt() + h.get("prompts_all_wrong").asInt()
                    + h.get("prompts_mixed").asInt(), op.toString());
            assertEquals(h.get("prompts_all_wrong").asInt() + h.get("prompts_mixed").asInt(), h.get("pairs").asInt());
        }
        assertTrue(op.get("train").get("pairs").asInt() > 0, op.toString());
        Checkpoint c = Checkpoint.load(Storage.local(), a.resolve("model/model.ckpt").toString());
        assertEquals("0.5", c.meta().get("dpo.sft_weight"));
        assertEquals("3", c.meta().get("dpo.on_policy"));
        assertEquals("false", c.meta().get("dpo.each_wrong"));
    }

    /**
     * On-policy DPO's plan leaves every draw to the job's Spark stage: one task per worker with its training prompts
     * and one with all the held-out prompts (indexed after the training ones, their draws' seeds); what the held-out
     * task drew is what on-policy.json reports.
     */
    @Test
    void dpoOnPolicyDrawsTheHeldOutAnswersInTheSparkStage() throws Exception {
        DpoJob job = new DpoJob();
        new picocli.CommandLine(job).parseArgs(common(arith, tmp.resolve("dpo-plan"), 1, "--beta", "0.5",
                "--on-policy", "3", "--max-new-tokens", "3").toArray(String[]::new));
        List<DpoJob.DrawTask> tasks = new ArrayList<>();
        ShardMap recording = new ShardMap() {
            @Override
            public <A, B> List<B> map(List<A> shards, org.apache.spark.api.java.function.Function<A, B> f) {
                for (A a : shards) {
                    if (a instanceof DpoJob.DrawTask t) {
                        tasks.add(t);
                    }
                }
                return ShardMap.here().map(shards, f);
            }
        };
        try (AlignPlan<?> p = job.plan(Storage.local(), recording)) {
            assertEquals(3, tasks.size(), "2 workers' tasks and the held-out one");
            assertEquals(List.of(false, false, true), tasks.stream().map(DpoJob.DrawTask::heldOut).toList());
            assertEquals(p.trainRecords(), tasks.get(0).prompts().size() + tasks.get(1).prompts().size());
            List<DpoJob.Drawn> heldOut = tasks.get(2).prompts();
            assertTrue(p.heldOutRecords() > 0);
            assertEquals(p.heldOutRecords(), heldOut.size());
            for (int i = 0; i < heldOut.size(); i++) {
                assertEquals(p.trainRecords() + i, heldOut.get(i).index());
            }
            JsonNode h = Json.mapper().readTree(p.files().get("on-policy.json")).get("held_out");
            assertEquals(p.heldOutRecords(), h.get("prompts_all_right").asInt() + h.get("prompts_all_wrong").asInt()
                    + h.get("prompts_mixed").asInt(), h.toString());
        }
    }

    @Test
    void ppoJobRunsAndResumesBitForBit() throws Exception {
        runAndResume(PpoJob::new, arith, "ppo", "--max-new-tokens", "3", "--ppo-epochs", "1");
        JsonNode st = json(tmp.resolve("ppo-a/data-stats.json"));
        assertEquals(2, st.get("skipped").asInt(), st.toString());
        JsonNode last = Json.mapper().readTree(Files.readAllLines(tmp.resolve("ppo-a/metrics.jsonl")).get(1));
        assertTrue(last.toString().contains("val_reward") && last.toString().contains("val_kl"), last.toString());
    }

    /**
     * Early stopping follows the metric the user names: PPO's held-out prompt count never improves, so with
     * patience 1 the run ends after its second evaluation, not its fourth round; a name that is not a figure is a
     * usage error.
     */
    @Test
    void earlyStoppingFollowsTheChosenMetric() throws Exception {
        Path out = tmp.resolve("ppo-stop");
        assertEquals(0, Cli.execute(new PpoJob(), common(arith, out, 4, "--max-new-tokens", "3", "--ppo-epochs", "1",
                "--early-stop-metric", "max:val_prompts", "--patience", "1").toArray(String[]::new)));
        JsonNode s = json(out.resolve("summary.json"));
        assertEquals(2, s.get("rounds").asInt(), s.toString());
        assertTrue(s.get("stoppedEarly").asBoolean(), s.toString());
        assertEquals(Cli.EXIT_USAGE, Cli.execute(new DpoJob(), common(prefs, tmp.resolve("dpo-stop"), 1,
                "--early-stop-metric", "val_nonesuch").toArray(String[]::new)));
    }

    @Test
    void badOptionsAreUsageErrors() {
        List<String> a = common(prefs, tmp.resolve("bad"), 1, "--beta", "0");
        assertEquals(Cli.EXIT_USAGE, Cli.execute(new DpoJob(), a.toArray(String[]::new)));
        for (String[] bad : new String[][] {{"--sft-weight", "-1"}, {"--on-policy", "1"}, {"--on-policy", "-2"},
            {"--on-policy", "2", "--temperature", "0"}, {"--each-wrong"}, {"--mixed-only"}}) {
            assertEquals(Cli.EXIT_USAGE, Cli.execute(new DpoJob(), common(arith, tmp.resolve("bad-op"), 1, bad)
                    .toArray(String[]::new)), String.join(" ", bad));
        }
    }
}
