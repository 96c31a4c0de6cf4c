package io.sparkgpt.trainer.tune;

import java.io.Serializable;
import java.util.Map;

/**
 * A trial to run: its id (its folder {@code trials/<id>/}), the rung and budget of a successive-halving search (0 and
 * the job's own budget otherwise), the parameters that set it apart (option name -> value as passed), and its run.
 */
public record TrialSpec(String id, int rung, long budget, Map<String, String> params, TrialRun run)
        implements Serializable {
}
