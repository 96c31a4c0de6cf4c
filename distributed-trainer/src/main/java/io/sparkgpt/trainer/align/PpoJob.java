package io.sparkgpt.trainer.align;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.Checkpoint;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.TrainConfig;
import io.sparkgpt.model.align.PpoConfig;
import io.sparkgpt.model.align.PpoTask;
import io.sparkgpt.model.align.RewardModel;
import io.sparkgpt.model.align.RewardSource;
import io.sparkgpt.model.align.ScalarHead;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.LocalTrainer;
import io.sparkgpt.trainer.LocalWork;
import io.sparkgpt.trainer.RoundContext;
import io.sparkgpt.trainer.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ppo.sh}: PPO of the {@code --init} model (policy + value head on its trunk) with the frozen {@code --init}
 * as reference. Each worker samples its rollouts on its executor from its own prompts, scores them (the answer
 * checker, or a reward model's {@code model.ckpt}), and takes the PPO steps; the driver averages and evaluates
 * held-out prompts: mean reward and KL to the reference per round.
 */
@Command(name = "ppo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "PPO on prompts (JSONL prompt/completion or messages) with a checker or a reward model.")
public final class PpoJob implements Callable<Integer>, AlignJob {
    @Mixin
    AlignOptions o = new AlignOptions();
    @Option(names = "--reward", defaultValue = "checker",
            description = "checker (the reply's final number must equal the completion's) or the path of a reward "
                    + "model's model.ckpt from train-reward.sh (default: ${DEFAULT-VALUE})")
    String reward;
    @Option(names = "--kl-coef", defaultValue = "0.05", description = "per-token KL penalty (default: ${DEFAULT-VALUE})")
    double klCoef;
    @Option(names = "--gamma", defaultValue = "1.0", description = "discount (default: ${DEFAULT-VALUE})")
    double gamma;
    @Option(names = "--lambda", defaultValue = "0.95", description = "GAE lambda (default: ${DEFAULT-VALUE})")
    double lambda;
    @Option(names = "--clip", defaultValue = "0.2", description = "ratio clip range (default: ${DEFAULT-VALUE})")
    double clip;
    @Option(names = "--value-clip", defaultValue = "0.2", description = "value clip range (default: ${DEFAULT-VALUE})")
    double valueClip;
    @Option(names = "--value-coef", defaultValue = "0.1", description = "value loss weight (default: ${DEFAULT-VALUE})")
    double valueCoef;
    @Option(names = "--ppo-epochs", defaultValue = "2", description = "updates per batch of rollouts (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--max-new-tokens", defaultValue = "16", description = "response length limit (default: ${DEFAULT-VALUE})")
    int maxNew;
    @Option(names = "--temperature", defaultValue = "1.0", description = "rollout temperature (default: ${DEFAULT-VALUE})")
    double temperature;
    @Option(names = "--samples-per-prompt", defaultValue = "1", description = "responses sampled per prompt in a "
            + "step; a step has --batch-size prompts, so batch-size x this many rollouts (default: ${DEFAULT-VALUE})")
    int samplesPerPrompt;
    @Option(names = "--baseline", defaultValue = "value", description = "the advantage's baseline: value (GAE on the "
            + "value head) or group (leave-one-out mean of the same prompt's other samples, RLOO; needs "
            + "--samples-per-prompt >= 2) (default: ${DEFAULT-VALUE})")
    String baseline;
    @Option(names = "--mixed-group-draws", defaultValue = "0", description = "group baseline: keep only groups whose "
            + "samples do not all get the same reward, drawing up to this many batches of prompts per step to fill "
            + "it (DAPO's dynamic sampling); 0: keep every group (default: ${DEFAULT-VALUE})")
    int mixedGroupDraws;
    @Option(names = "--value-warmup-rounds", defaultValue = "0", description = "first rounds in which only the value "
            + "head learns, the policy frozen (value baseline only) (default: ${DEFAULT-VALUE})")
    int valueWarmupRounds;

    public static void main(String[] args) {
        Cli.main(new PpoJob(), args);
    }

    /** How executors and driver build the reward: all plain data, so it ships in the task closure. */
    record RewardSpec(String kind, String tokenizer, List<AlignData.Prompt> prompts) implements java.io.Serializable {
        RewardSource build(int vocab, long seed) {
            if (kind.equals("checker")) {
                return AnswerChecker.of(AlignData.template(new Storage(new org.apache.hadoop.conf.Configuration()),
                        tokenizer), prompts);
            }
            Checkpoint c = Checkpoint.load(new Storage(new org.apache.hadoop.conf.Configuration()), kind);
            String h = c.meta().get(RewardModel.HEAD_KEY);
            if (h == null) {
                throw new UsageException("--reward " + kind + " is not a reward model (no " + RewardModel.HEAD_KEY
                        + " in it)");
            }
            return RewardSource.of(new RewardModel(AlignModel.load(kind, vocab, seed), ScalarHead.decode(h, kind)));
        }
    }

    /** A worker's round: rollouts on this executor from its prompts, scores, PPO steps. */
    record Trainer(String init, int vocab, long seed, PpoConfig pc, RewardSpec spec, int valueWarmupRounds)
            implements LocalTrainer<ArrayList<AlignData.Prompt>> {
        @Override
        public LocalWork train(LocalModel model, ArrayList<AlignData.Prompt> shard, RoundContext ctx) {
            AlignModel am = (AlignModel) model;
            List<int[]> prompts = shard.stream().map(AlignData.Prompt::ids).toList();
            // the task draws batchSize prompts per step with this worker's round seed
            TrainConfig tc = am.train().withSeed(ctx.dataSeed()).withBatch(ctx.cfg().batchSize(), 1);
            double lossSum = 0;
            long tokens = 0;
            try (GPT ref = AlignModel.load(init, vocab, seed)) {
                PpoTask task = new PpoTask(am.gpt(), ref, am.head(), tc, pc, prompts, List.of(),
                        spec.build(vocab, seed));
                for (int i = 0; i < ctx.cfg().localSteps(); i++) {
                    Map<String, Object> m = task.step(i, ctx.lr(i), ctx.round() <= valueWarmupRounds);
                    double loss = (double) m.get("loss");
                    ctx.checkFinite(loss, i);
                    lossSum += loss;
                    tokens += Math.round((double) m.get("response_tokens") * (double) m.get("rollouts"));
                }
            }
            return new LocalWork(lossSum, ctx.cfg().localSteps(), tokens);
        }
    }

    /** Held-out prompts with fixed seeds: mean reward and KL to the reference. */
    static final class HeldOut implements Validation {
        private final List<AlignData.Prompt> val;
        private final GPT ref;
        private final RewardSource reward;
        private final TrainConfig tc;
        private final PpoConfig pc;

        HeldOut(List<AlignData.Prompt> val, GPT ref, RewardSource reward, TrainConfig tc, PpoConfig pc) {
            this.val = val;
            this.ref = ref;
            this.reward = reward;
            this.tc = tc;
            this.pc = pc;
        }

        @Override
        public boolean available() {
            return !val.isEmpty();
        }

        @Override
        public Map<String, Double> evaluate(LocalModel model) {
            AlignModel am = (AlignModel) model;
            List<int[]> prompts = val.stream().map(AlignData.Prompt::ids).toList();
            PpoTask task = new PpoTask(am.gpt(), ref, am.head(), tc, pc, prompts, prompts, reward);
            return AlignRun.doubles(task.evaluate());
        }
    }

    @Override
    public Integer call() {
        return AlignRun.onSpark("sparkgpt-ppo", this);
    }

    @Override
    public AlignPlan<ArrayList<AlignData.Prompt>> plan(Storage storage, ShardMap shards) {
        AlignRun.Setup s = AlignRun.setup(storage, o);
        PpoConfig pc;
        try {
            PpoConfig.Baseline b = switch (baseline) {
                case "value" -> PpoConfig.Baseline.VALUE;
                case "group" -> PpoConfig.Baseline.GROUP;
                default -> throw new IllegalArgumentException("--baseline " + baseline + ": expected value or group");
            };
            pc = new PpoConfig(klCoef, gamma, lambda, clip, valueClip, valueCoef, epochs, maxNew, temperature,
                    s.template().stopToken(), samplesPerPrompt, b, mixedGroupDraws);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        if (valueWarmupRounds < 0 || (valueWarmupRounds > 0 && pc.baseline() != PpoConfig.Baseline.VALUE)) {
            throw new UsageException("--value-warmup-rounds " + valueWarmupRounds + ": needs a count >= 0 and, when "
                    + "above 0, --baseline value");
        }
        if (!reward.equals("checker")) {
            storage.requireExists("--reward model", reward);
        }
        BadRecords bad = new BadRecords();
        AlignData.Split<AlignData.Prompt> data = AlignData.prompts(storage, o.data, s.template(),
                s.model().blockSize(), maxNew, o.valPercent, bad);
        int vocab = s.vocab();
        List<AlignData.Prompt> checked = new ArrayList<>();
        if (reward.equals("checker")) {
            checked.addAll(data.train());
            checked.addAll(data.val());
        }
        RewardSpec spec = new RewardSpec(reward, o.tokenizer, checked);
        // the held-out evaluation's frozen reference lives on the driver as long as the plan
        GPT ref = AlignModel.load(o.init, vocab, o.run.seed);
        try {
            return AlignRun.plan(storage, o, new AlignRun.Parts<>("ppo", s, true,
                            AlignData.deal(data.train(), o.round.workers), "sparkgpt PPO",
                            new Trainer(o.init, vocab, o.run.seed, pc, spec, valueWarmupRounds),
                            new HeldOut(data.val(), ref, spec.build(vocab, o.run.seed), s.tc().withSeed(o.run.seed),
                                    pc),
                            "val_reward", PpoTask.VALUE_HEAD_KEY, Map.of("trainer", PpoJob.class.getName())),
                    data.train().size(), data.val().size(), bad, ref);
        } catch (RuntimeException e) {
            ref.close();
            throw e;
        }
    }
}
