package io.sparkgpt.trainer.tune;

import io.sparkgpt.common.cli.ConfigFile;
import io.sparkgpt.common.cli.UsageException;
import java.util.List;
import picocli.CommandLine;

/**
 * A job that trials can train: it turns a trial's command line (the job's own flags) into a {@link TrialRun}, parsed
 * by the job's own options so that a trial trains what the job would. Wired: {@code pretrain}
 * ({@link PretrainTarget}), {@code sft} ({@link SftTarget}) and {@code train-reward}, {@code dpo}, {@code ppo}
 * ({@link AlignTarget}).
 */
public interface Target {
    /** The job option a budget sets (successive halving): steps or rounds. */
    String budgetOption();

    /**
     * Flags that fix the learning-rate schedule's horizon to the largest budget of a successive-halving search (so a
     * trial continued at a larger budget is the same run as one trained at that budget from the start).
     */
    List<String> horizonArgs(long maxBudget, List<String> args);

    /** The trial of this command line (which already holds {@code --output <trial dir>} and {@code --workers 1}). */
    TrialRun trial(List<String> args);

    /** A cross-validation fold: the examples {@code fold} holds out are its validation set. */
    default TrialRun fold(List<String> args, Fold fold) {
        throw new UsageException("--folds is for fine-tuning jobs (sft), not this one");
    }

    /**
     * The horizon flags of a job whose budget is {@code --max-rounds}: its learning rate decays over the largest
     * budget's optimizer steps ({@code maxRounds x --local-steps}).
     */
    static List<String> roundsHorizon(Object parsedJob, long maxRounds) {
        long localSteps = ((Number) option(parsedJob, "local-steps")).longValue();
        return List.of("--decay-steps", String.valueOf(maxRounds * localSteps));
    }

    /** The value of a job's option after parsing (picocli's model of it: no dependence on the job's fields). */
    static Object option(Object command, String name) {
        CommandLine.Model.OptionSpec o = new CommandLine(command).getCommandSpec().findOption(name);
        if (o == null) {
            throw new UsageException("the job has no option --" + name);
        }
        return o.getValue();
    }

    /** Parses {@code args} into {@code command} (a job's picocli class); a later flag overrides an earlier one. */
    static <T> T parse(T command, List<String> args) {
        try {
            // as Cli.execute configures it, plus: a trial's value follows the job's flag and overrides it
            String[] a = args.toArray(String[]::new);
            CommandLine cl = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true)
                    .setOverwrittenOptionsAllowed(true);
            // a --config file among the job's flags: its values are defaults
            ConfigFile.installOn(cl, a).accept(cl.parseArgs(a));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException("trial command line " + args + ": " + e.getMessage(), e);
        }
        return command;
    }
}
