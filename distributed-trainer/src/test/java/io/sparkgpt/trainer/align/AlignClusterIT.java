package io.sparkgpt.trainer.align;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgpt.common.json.Json;
import io.sparkgpt.spark.testing.LocalCluster;
import io.sparkgpt.spark.testing.Scripts;
import io.sparkgpt.spark.testing.SharedLocalCluster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-reward.sh}, {@code dpo.sh} and {@code ppo.sh} with the shaded job jar on a real standalone cluster
 * (Master + 2 Workers): tiny model, tiny data, two rounds each; each ends with its run layout and its figures,
 * and PPO's rollouts are sampled by the executors.
 */
@ExtendWith(SharedLocalCluster.class)
class AlignClusterIT {
    @TempDir
    static Path tmp;
    static LocalCluster cluster;
    static Path jar;
    static Path prefs;
    static Path arith;

    @BeforeAll
    static void setUp(LocalCluster shared) throws Exception {
        AlignTestData.tokenizerAndInit(tmp, 48);
        prefs = AlignTestData.preferences(tmp, 24);
        arith = AlignTestData.arithmetic(tmp, 24);
        Path built = Scripts.jobJar("distributed-trainer");
        jar = Files.copy(built, Files.createDirectories(tmp.resolve("jars")).resolve(built.getFileName()));
        cluster = shared;
    }

    static JsonNode run(String script, Path data, String name, String... extra) throws Exception {
        Path out = tmp.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("bash", Scripts.script(script).toString(), "--master",
                cluster.masterUrl(), "--executor-memory", "768m", "--", "--data", data.toString(), "--tokenizer",
                tmp.resolve("tokenizer").toString(), "--init", tmp.resolve("init.ckpt").toString(), "--output",
                out.toString(), "--workers", "2", "--max-rounds", "2", "--local-steps", "2", "--batch-size", "4",
                "--lr", "3e-3", "--val-percent", "25", "--seed", "3"));
        cmd.addAll(List.of(extra));
        Path log = tmp.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Scripts.projectRoot().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARKGPT_JARS", jar.getParent().toString());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(script + " did not end in 10 minutes:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), output);
        assertTrue(Files.exists(out.resolve("_SUCCESS")) && Files.exists(out.resolve("model/model.ckpt"))
                && Files.exists(out.resolve("loss.png")), output);
        assertTrue(output.contains("skipped"), "bad lines are reported: " + output);
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, lines.size(), output);
        JsonNode last = Json.mapper().readTree(lines.get(1));
        assertTrue(last.has("metrics"), "the held-out figures of round 2: " + last);
        return last.get("metrics");
    }

    @Test
    void rewardDpoAndPpoRunOnTheCluster() throws Exception {
        JsonNode rm = run("train-reward.sh", prefs, "reward");
        assertTrue(rm.has("val_accuracy") && rm.has("baseline_longer"), rm.toString());
        JsonNode dpo = run("dpo.sh", prefs, "dpo", "--beta", "0.5");
        assertTrue(dpo.has("val_accuracy") && dpo.has("val_logp_margin"), dpo.toString());
        JsonNode ppo = run("ppo.sh", arith, "ppo", "--max-new-tokens", "3", "--ppo-epochs", "1");
        assertTrue(ppo.has("val_reward") && ppo.has("val_kl"), ppo.toString());
    }
}
