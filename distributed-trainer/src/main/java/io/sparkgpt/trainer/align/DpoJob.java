package io.sparkgpt.trainer.align;

import io.sparkgpt.common.cli.Cli;
import io.sparkgpt.common.cli.UsageException;
import io.sparkgpt.common.io.Storage;
import io.sparkgpt.model.GPT;
import io.sparkgpt.model.align.Batches;
import io.sparkgpt.model.align.DpoTask;
import io.sparkgpt.model.align.OnPolicyPairs;
import io.sparkgpt.model.align.PreferenceTokens;
import io.sparkgpt.model.align.RewardSource;
import io.sparkgpt.model.align.Sequence;
import io.sparkgpt.tokenizer.chat.ChatTemplate;
import io.sparkgpt.tokenizer.chat.BadRecords;
import io.sparkgpt.trainer.LocalModel;
import io.sparkgpt.trainer.LocalTrainer;
import io.sparkgpt.trainer.LocalWork;
import io.sparkgpt.trainer.RoundContext;
import io.sparkgpt.trainer.Validation;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dpo.sh}: Direct Preference Optimisation of the {@code --init} model against a frozen copy of itself, by
 * parameter averaging. The reference's log-probabilities of every pair are computed once, on the executors, and
 * travel with the pairs. Reports the held-out preference accuracy of the implicit reward and the chosen/rejected
 * log-probability margins. With {@code --on-policy N} the pairs are the {@code --init} model's own answers to the
 * prompts of a prompt/completion JSONL, N per prompt, graded by the answer checker ({@link OnPolicyPairs}), drawn
 * on the executors (the held-out prompts' too); {@code on-policy.json} in the run says what the draws showed. With
 * {@code --sft-weight} the chosen answers' NLL per token joins the loss (RPO).
 */
@Command(name = "dpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "DPO on preference pairs (JSONL: prompt/chosen/rejected or hh-rlhf) from a --init model.")
public final class DpoJob implements Callable<Integer>, AlignJob {
    @Mixin
    AlignOptions o = new AlignOptions();
    @Option(names = "--beta", defaultValue = "0.1", description = "DPO beta (default: ${DEFAULT-VALUE})")
    double beta;
    @Option(names = "--sft-weight", defaultValue = "0",
            description = "weight of the chosen answers' NLL per token added to the DPO loss (RPO); 0 = plain DPO "
                    + "(default: ${DEFAULT-VALUE})")
    double sftWeight;
    @Option(names = "--on-policy", defaultValue = "0",
            description = "N >= 2: --data is prompt/completion JSONL; each prompt's pair is made from N answers "
                    + "sampled from --init and graded by the answer checker (a right one chosen, or the "
                    + "completion if none is; a wrong one rejected; no pair if all are right). 0 = --data holds "
                    + "the pairs (default: ${DEFAULT-VALUE})")
    int onPolicy;
    @Option(names = "--each-wrong", defaultValue = "false",
            description = "with --on-policy: one pair per distinct wrong answer of a prompt, not its first only "
                    + "(default: ${DEFAULT-VALUE})")
    boolean eachWrong;
    @Option(names = "--mixed-only", defaultValue = "false",
            description = "with --on-policy: pairs only from prompts answered right at least once (none with the "
                    + "completion as chosen) (default: ${DEFAULT-VALUE})")
    boolean mixedOnly;
    @Option(names = "--max-new-tokens", defaultValue = "16",
            description = "with --on-policy: answer length limit (default: ${DEFAULT-VALUE})")
    int maxNew;
    @Option(names = "--temperature", defaultValue = "1.0",
            description = "with --on-policy: sampling temperature (default: ${DEFAULT-VALUE})")
    double temperature;

    public static void main(String[] args) {
        Cli.main(new DpoJob(), args);
    }

    /** A pair with its reference log-probabilities (chosen, rejected). */
    record Example(PreferenceTokens pair, double refChosen, double refRejected) implements Serializable {}

    /** A worker's round: {@code localSteps} DPO steps on batches of its pairs. */
    record Trainer(double beta, double sftWeight) implements LocalTrainer<ArrayList<Example>> {
        @Override
        public LocalWork train(LocalModel model, ArrayList<Example> shard, RoundContext ctx) {
            AlignModel am = (AlignModel) model;
            double lossSum = 0;
            long tokens = 0;
            for (int i = 0; i < ctx.cfg().localSteps(); i++) {
                List<Example> ex = Batches.draw(shard, ctx.cfg().batchSize(), ctx.dataSeed(), i);
                List<PreferenceTokens> batch = new ArrayList<>();
                double[][] ref = new double[ex.size()][];
                for (int k = 0; k < ex.size(); k++) {
                    batch.add(ex.get(k).pair());
                    ref[k] = new double[] {ex.get(k).refChosen(), ex.get(k).refRejected()};
                    tokens += ex.get(k).pair().chosen().length() + ex.get(k).pair().rejected().length();
                }
                double loss = (double) DpoTask.step(am.gpt(), batch, ref, beta, sftWeight, ctx.lr(i),
                        am.train()).get("loss");
                ctx.checkFinite(loss, i);
                lossSum += loss;
            }
            return new LocalWork(lossSum, ctx.cfg().localSteps(), tokens);
        }
    }

    /** Held-out DPO loss, implicit-reward accuracy and margins, log-prob margins. */
    record HeldOut(List<PreferenceTokens> val, double[][] ref, double beta) implements Validation {
        @Override
        public boolean available() {
            return !val.isEmpty();
        }

        @Override
        public Map<String, Double> evaluate(LocalModel model) {
            return AlignRun.doubles(DpoTask.evaluate(((AlignModel) model).gpt(), val, ref, beta));
        }
    }

    @Override
    public Integer call() {
        return AlignRun.onSpark("sparkgpt-dpo", this);
    }

    @Override
    public AlignPlan<ArrayList<Example>> plan(Storage storage, ShardMap shardMap) {
        if (!(beta > 0)) {
            throw new UsageException("--beta must be > 0: " + beta);
        }
        if (!(sftWeight >= 0)) {
            throw new UsageException("--sft-weight must be >= 0: " + sftWeight);
        }
        if (onPolicy == 1 || onPolicy < 0) {
            throw new UsageException("--on-policy must be 0 (off) or >= 2 answers per prompt: " + onPolicy);
        }
        if (onPolicy == 0 && (eachWrong || mixedOnly)) {
            throw new UsageException("--each-wrong and --mixed-only choose on-policy pairs: they need --on-policy N");
        }
        AlignRun.Setup s = AlignRun.setup(storage, o);
        ChatTemplate t = s.template();
        int vocab = s.vocab();
        int blockSize = s.model().blockSize();
        BadRecords bad = new BadRecords();
        List<ArrayList<Example>> shards;
        List<PreferenceTokens> val;
        int trainRecords;
        int heldOutRecords;
        Map<String, String> files = Map.of();
        if (onPolicy == 0) {
            AlignData.Split<PreferenceTokens> data = AlignData.preferences(storage, o.data, t, blockSize,
                    o.valPercent, bad);
            shards = withReference(shardMap, AlignData.deal(data.train(), o.round.workers), vocab);
            val = data.val();
            trainRecords = data.train().size();
            heldOutRecords = val.size();
        } else {
            OnPolicyPairs.Config draw;
            try {
                draw = new OnPolicyPairs.Config(onPolicy, maxNew, temperature, t.stopToken(), o.run.seed, eachWrong,
                        mixedOnly);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
            OnPolicy op = onPolicyPairs(storage, shardMap, t, blockSize, vocab, draw, bad);
            shards = op.shards();
            val = op.val();
            trainRecords = op.trainPrompts();
            heldOutRecords = op.heldOutPrompts();
            files = Map.of("on-policy.json", op.statsJson());
        }
        double[][] refVal;
        try (GPT ref = AlignModel.load(o.init, vocab, o.run.seed)) {
            refVal = DpoTask.sequenceLogProbs(ref, val);
        }
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("trainer", DpoJob.class.getName());
        meta.put("dpo.beta", Double.toString(beta));
        meta.put("dpo.sft_weight", Double.toString(sftWeight));
        meta.put("dpo.on_policy", Integer.toString(onPolicy));
        meta.put("dpo.each_wrong", Boolean.toString(eachWrong));
        meta.put("dpo.mixed_only", Boolean.toString(mixedOnly));
        String name = "sparkgpt DPO (beta " + beta + (sftWeight > 0 ? ", sft weight " + sftWeight : "")
                + (onPolicy > 0 ? ", on-policy pairs from " + onPolicy + " answers per prompt" : "")
                + (eachWrong ? ", each wrong answer" : "") + (mixedOnly ? ", mixed prompts only" : "") + ")";
        return AlignRun.plan(storage, o, new AlignRun.Parts<>("dpo", s, false, shards, name,
                        new Trainer(beta, sftWeight), new HeldOut(val, refVal, beta), "val_accuracy", null, meta),
                trainRecords, heldOutRecords, bad, null, files);
    }

    /** The frozen reference's log-probs of every pair: once per pair, on the executors, in the shards' layout. */
    private List<ArrayList<Example>> withReference(ShardMap shardMap, List<ArrayList<PreferenceTokens>> dealt,
                                                   int vocab) {
        String init = o.init;
        long seed = o.run.seed;
        return shardMap.map(dealt, part -> {
            try (GPT ref = AlignModel.load(init, vocab, seed)) {
                return examples(ref, part);
            }
        });
    }

    private static ArrayList<Example> examples(GPT ref, List<PreferenceTokens> pairs) {
        double[][] lp = DpoTask.sequenceLogProbs(ref, pairs);
        ArrayList<Example> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            out.add(new Example(pairs.get(i), lp[i][0], lp[i][1]));
        }
        return out;
    }

    /** A prompt to draw answers for: its index in the input (its seeds), ids, reference answer ids. */
    record Drawn(long index, AlignData.Prompt prompt, int[] reference) implements Serializable {}

    /** A shard's pairs with their reference log-probs, and what its draws showed. */
    record Shard(ArrayList<Example> examples, OnPolicyPairs.Result counts) implements Serializable {}

    /** The prompts of one Spark task of the draw: a worker's training prompts, or the held-out ones. */
    record DrawTask(ArrayList<Drawn> prompts, boolean heldOut) implements Serializable {}

    record OnPolicy(List<ArrayList<Example>> shards, List<PreferenceTokens> val, int trainPrompts, int heldOutPrompts,
                    String statsJson) {}

    /**
     * The on-policy pairs: the answers drawn on the executors, one task per worker for the training prompts and one
     * more for the held-out prompts (the driver only plans); both graded by the answer checker against the
     * completions. A prompt's draws are seeded by its index, so where it is drawn does not change them.
     */
    private OnPolicy onPolicyPairs(Storage storage, ShardMap shardMap, ChatTemplate t, int blockSize, int vocab,
                                   OnPolicyPairs.Config draw, BadRecords bad) {
        AlignData.Split<AlignData.Prompt> data = AlignData.prompts(storage, o.data, t, blockSize, maxNew,
                o.valPercent, bad);
        List<Drawn> train = drawn(t, data.train(), 0, blockSize);
        List<Drawn> heldOut = drawn(t, data.val(), data.train().size(), blockSize);
        List<DrawTask> tasks = new ArrayList<>();
        for (ArrayList<Drawn> part : AlignData.deal(train, o.round.workers)) {
            tasks.add(new DrawTask(part, false));
        }
        tasks.add(new DrawTask(new ArrayList<>(heldOut), true));
        String init = o.init;
        String tokenizer = o.tokenizer;
        long seed = o.run.seed;
        List<Shard> shards = shardMap.map(tasks, task -> {
            List<AlignData.Prompt> ps = task.prompts().stream().map(Drawn::prompt).toList();
            RewardSource checker = new PpoJob.RewardSpec("checker", tokenizer, ps).build(vocab, seed);
            try (GPT ref = AlignModel.load(init, vocab, seed)) {
                OnPolicyPairs.Result r = draw(ref, task.prompts(), checker, draw);
                // held-out pairs go back bare: the driver scores them with the reference for the held-out evaluation
                return task.heldOut() ? new Shard(new ArrayList<>(), r)
                        : new Shard(examples(ref, r.pairs()), r.withoutPairs());
            }
        });
        OnPolicyPairs.Result val = shards.get(shards.size() - 1).counts();
        List<ArrayList<Example>> out = new ArrayList<>();
        List<OnPolicyPairs.Result> counts = new ArrayList<>();
        for (int k = 0; k < shards.size() - 1; k++) {
            if (shards.get(k).examples().isEmpty()) {
                throw new UsageException("worker " + k + " has no on-policy pairs: --init answered all its "
                        + train.size() / (shards.size() - 1) + " prompts right in " + onPolicy + " tries each"
                        + (mixedOnly ? " or never right (--mixed-only)" : "") + " (" + o.data + ")");
            }
            out.add(shards.get(k).examples());
            counts.add(shards.get(k).counts());
        }
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("answers_per_prompt", onPolicy);
        s.put("temperature", temperature);
        s.put("max_new_tokens", maxNew);
        s.put("each_wrong", eachWrong);
        s.put("mixed_only", mixedOnly);
        s.put("train", summary(counts));
        s.put("held_out", summary(List.of(val)));
        s.put("held_out_examples", examplesText(t, val.pairs(), 20));
        System.out.println("on-policy pairs: train " + summary(counts) + "; held out " + summary(List.of(val)));
        // written into the run folder with data-stats.json, once the folder is prepared
        return new OnPolicy(out, val.pairs(), data.train().size(), data.val().size(),
                io.sparkgpt.common.json.Json.write(s));
    }

    private static OnPolicyPairs.Result draw(GPT ref, List<Drawn> ds, RewardSource checker, OnPolicyPairs.Config c) {
        return OnPolicyPairs.build(ref, ds.stream().map(d -> d.prompt().origin()).toList(),
                ds.stream().map(d -> d.prompt().ids()).toList(), ds.stream().map(Drawn::reference).toList(),
                ds.stream().mapToLong(Drawn::index).toArray(), checker, c);
    }

    /** The prompts with their indices from {@code first} and their completions as response ids (+ stop token). */
    private static List<Drawn> drawn(ChatTemplate t, List<AlignData.Prompt> ps, long first, int blockSize) {
        List<Drawn> out = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            AlignData.Prompt p = ps.get(i);
            int[] a = t.tokenizer().encode(p.answer());
            int[] ref = java.util.Arrays.copyOf(a, a.length + 1);
            ref[a.length] = t.stopToken();
            if (p.ids().length + ref.length > blockSize) {
                throw new UsageException(p.origin() + ": prompt of " + p.ids().length + " tokens + completion of "
                        + ref.length + " exceed the context of " + blockSize);
            }
            out.add(new Drawn(first + i, p, ref));
        }
        return out;
    }

    private static Map<String, Object> summary(List<OnPolicyPairs.Result> rs) {
        long right = 0, drawn = 0;
        int pairs = 0, allRight = 0, allWrong = 0, mixed = 0;
        for (OnPolicyPairs.Result r : rs) {
            right += r.right();
            drawn += r.drawn();
            pairs += r.pairCount();
            allRight += r.allRight();
            allWrong += r.allWrong();
            mixed += r.mixed();
        }
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("pairs", pairs);
        m.put("prompts_all_right", allRight);
        m.put("prompts_all_wrong", allWrong);
        m.put("prompts_mixed", mixed);
        m.put("answers_right", drawn == 0 ? 0.0 : (double) right / drawn);
        return m;
    }

    /** The first {@code n} pairs as text: what the model's errors look like. */
    private static List<Map<String, String>> examplesText(ChatTemplate t, List<PreferenceTokens> pairs, int n) {
        List<Map<String, String>> out = new ArrayList<>();
        for (PreferenceTokens p : pairs.subList(0, Math.min(n, pairs.size()))) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            m.put("origin", p.origin());
            m.put("chosen", reply(t, p.chosen()));
            m.put("rejected", reply(t, p.rejected()));
            out.add(m);
        }
        return out;
    }

    private static String reply(ChatTemplate t, Sequence s) {
        return t.decodeReply(java.util.Arrays.copyOfRange(s.ids(), s.responseStart(), s.length()));
    }
}
