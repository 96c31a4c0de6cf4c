#!/usr/bin/env bash
# retrain: one cycle of continued pretraining on a new crawl, promoted only when it is better.
#
#   retrain.sh --state DIR --seed --model CKPT --tokenizer DIR --val TOKENS_VAL    register the first model in service
#   retrain.sh --state DIR --crawl PATH... [--master M] [--conf K=V]... [--pretrain-args "..."] [--tokenize-args "..."]
#              [--max-old-regression 0.05] [--min-new-gain 0.0] [--mix-earlier 0.0]   one cycle (resumes an interrupted one)
#   retrain.sh --state DIR --rollback                                                 put the previous model back in service
#   retrain.sh --state DIR --lineage [gen-NNNNNN]                                     crawl files a model was trained on
#   retrain.sh --state DIR --print-steps [--generation N]                             the Spark steps, one JSON per line
#   retrain.sh --state DIR --crawl PATH... --step plan|promote|NAME [--generation N]  one step (the Airflow DAG's tasks)
#
# The cycle: plan (generation N, {cycle}/crawl.paths) -> preprocess -> dedup against the index of every earlier crawl
# -> (no new documents: ends, nothing promoted) -> tokenize with the tokenizer in service -> pretrain from the model
# in service (--init, schedule re-warmed; --mix-earlier F: a share F of the tokens from the earlier cycles that
# model was trained on, listed in models/<gen>/train-tokens.txt) -> evaluate both models on the old and new validation sets -> promote when
# the gate holds: models/gen-N, then the pointer models/current is swapped atomically (previous kept for
# --rollback). The Spark steps are deploy/retrain/steps.conf. Every step skips complete output, so a re-run
# resumes. State layout: README.md, "Retraining".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../spark-submit/_lib.sh"
STEPS_FILE="$here/steps.conf"

state="" mode="cycle" print_gen="" step="" seed_model="" seed_tok="" seed_val="" lineage_of="current"
crawl=() spark=() pretrain_args="--workers 2 --max-rounds 10 --local-steps 10 --batch-size 8 --warmup 10 --lr 1e-3"
max_old="0.05" min_new="0.0" mix_earlier="0.0" tokenize_args="--val-fraction 0.05"
while (($#)); do
  case "$1" in
    --state) state="${2:?--state needs a folder}"; shift 2 ;;
    --crawl) shift; while (($#)) && [[ "$1" != --* ]]; do crawl+=("$1"); shift; done ;;
    --seed) mode="seed"; shift ;;
    --model) seed_model="${2:?}"; shift 2 ;;
    --tokenizer) seed_tok="${2:?}"; shift 2 ;;
    --val) seed_val="${2:?}"; shift 2 ;;
    --rollback) mode="rollback"; shift ;;
    --lineage) mode="lineage"; shift; if (($#)) && [[ "$1" != --* ]]; then lineage_of="$1"; shift; fi ;;
    --print-steps) mode="print"; shift ;;
    --step) mode="step"; step="${2:?--step needs a name}"; shift 2 ;;
    --generation) print_gen="${2:?}"; shift 2 ;;
    --master|--conf|--deploy-mode) spark+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    --pretrain-args) pretrain_args="$2"; shift 2 ;;
    --tokenize-args) tokenize_args="$2"; shift 2 ;;
    --max-old-regression) max_old="$2"; shift 2 ;;
    --min-new-gain) min_new="$2"; shift 2 ;;
    --mix-earlier) mix_earlier="${2:?--mix-earlier needs a share in [0, 1)}"; shift 2 ;;
    -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ -n "$state" ]] || die "--state DIR is required"
mkdir -p "$state" || die "cannot create the state folder $state"
state="$(cd "$state" && pwd)"
models="$state/models"

log() { echo "retrain: $*" >&2; }
abspath() { if [[ "$1" == *://* ]]; then echo "$1"; else echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; fi; }
# json_num FILE KEY: the last number under "KEY" in a JSON file (our stats.json and eval.json)
json_num() { grep -o "\"$2\" *: *-\{0,1\}[0-9][0-9.eE+-]*" "$1" | tail -n 1 | sed 's/.*: *//'; }
gen_name() { printf 'gen-%06d' "$((10#$1))"; }
# swap LINK TARGET: points models/LINK at TARGET atomically (rename of a new symlink over the old one)
swap() { ln -sfn "$2" "$models/.$1.tmp" && mv -T "$models/.$1.tmp" "$models/$1"; }
require_current() {
  [[ -f "$models/current/model.ckpt" ]] \
    || die "no promoted model: $models/current/model.ckpt is missing (register one with --seed, or --rollback)"
}
record() { # record STATUS REASON: the cycle's outcome, once
  local c="$1" s="$2" r="$3"
  printf '{"generation": %d, "status": "%s", "reason": "%s", "time": "%s"}\n' "$((10#$gen))" "$s" "$r" \
    "$(date -u +%FT%TZ)" > "$c/outcome.json.tmp" && mv "$c/outcome.json.tmp" "$c/outcome.json"
  cat "$c/outcome.json" >> "$state/cycles.jsonl"
  log "cycle $(gen_name "$gen"): $s ($r)"
}

# ---- seed, rollback, lineage --------------------------------------------------------------------------------
if [[ "$mode" == seed ]]; then
  [[ -f "$seed_model" ]] || die "--seed needs --model CKPT (a model.ckpt): '$seed_model' is not a file"
  [[ -f "$seed_tok/vocab.json" ]] || die "--seed needs --tokenizer DIR holding vocab.json: '$seed_tok'"
  [[ -d "$seed_val" ]] || die "--seed needs --val TOKENS_VAL (the validation tokens it was measured on): '$seed_val'"
  [[ -e "$models/current" ]] && die "$models/current exists: the state already has a model in service"
  d="$models/$(gen_name 0)"
  rm -rf "$d.tmp" && mkdir -p "$d.tmp"
  cp "$seed_model" "$d.tmp/model.ckpt" && cp -r "$seed_tok" "$d.tmp/tokenizer"
  ln -s "$(abspath "$seed_val")" "$d.tmp/val"
  : > "$d.tmp/crawl-files.txt"
  : > "$d.tmp/train-tokens.txt"   # what --mix-earlier may replay: nothing of the seed's own training is known
  printf '{"generation": 0, "parent": null, "seed": "%s", "crawl_files": []}\n' "$(abspath "$seed_model")" \
    > "$d.tmp/lineage.json"
  rm -rf "$d" && mv "$d.tmp" "$d"
  swap current "$(gen_name 0)"
  echo "$(gen_name 0)" > "$models/history"
  log "seeded: $(gen_name 0) in service"
  exit 0
fi
if [[ "$mode" == rollback ]]; then
  require_current
  [[ -f "$models/history" ]] || die "no $models/history: nothing to roll back"
  mapfile -t hist < "$models/history"
  ((${#hist[@]} >= 2)) || die "only ${hist[0]:-no model} was ever in service: nothing to roll back to"
  back="${hist[${#hist[@]}-2]}"
  [[ -f "$models/$back/model.ckpt" ]] || die "the previous model $models/$back is gone"
  swap current "$back"
  if ((${#hist[@]} >= 3)); then swap previous "${hist[${#hist[@]}-3]}"; else rm -f "$models/previous"; fi
  printf '%s\n' "${hist[@]:0:${#hist[@]}-1}" > "$models/history.tmp" && mv "$models/history.tmp" "$models/history"
  echo "{\"rollback_from\": \"${hist[${#hist[@]}-1]}\", \"to\": \"$back\", \"time\": \"$(date -u +%FT%TZ)\"}" \
    >> "$state/cycles.jsonl"
  log "rolled back: $back in service (was ${hist[${#hist[@]}-1]})"
  exit 0
fi
if [[ "$mode" == lineage ]]; then
  f="$models/$lineage_of/crawl-files.txt"
  [[ -f "$f" ]] || die "no model $lineage_of under $models (or no lineage)"
  cat "$f"
  exit 0
fi

# ---- a cycle ------------------------------------------------------------------------------------------------
# plan: the generation of this crawl: an unfinished cycle of the same crawl files is resumed, else the next number
plan() {
  ((${#crawl[@]})) || die "--crawl PATH... is required"
  local files=() c f
  for c in "${crawl[@]}"; do
    if [[ "$c" == *://* ]]; then files+=("$c")
    elif [[ -d "$c" ]]; then while IFS= read -r f; do files+=("$f"); done < <(find "$(abspath "$c")" -type f \
        ! -name '.*' ! -name '_*' ! -path '*/.*' ! -path '*/_*' | sort)
    elif [[ -f "$c" ]]; then files+=("$(abspath "$c")")
    else die "crawl input $c does not exist"; fi
  done
  ((${#files[@]})) || die "the crawl inputs ${crawl[*]} hold no files"
  local listing last=0 d n
  listing="$(printf '%s\n' "${files[@]}")"
  mkdir -p "$state/cycles"
  for d in "$state"/cycles/gen-*; do
    [[ -d "$d" ]] || continue
    n="${d##*/gen-}"; n=$((10#$n)); ((n > last)) && last=$n
    if [[ ! -f "$d/outcome.json" && -f "$d/crawl.paths" ]]; then
      [[ "$(cat "$d/crawl.paths")" == "$listing" ]] \
        || die "an interrupted cycle $d is for other crawl files: finish it (rerun with its files, listed in $d/crawl.paths) or remove it"
      gen="$n"; return
    fi
  done
  for d in "$models"/gen-*; do [[ -d "$d" ]] && n="${d##*/gen-}" && n=$((10#$n)) && ((n > last)) && last=$n; done
  gen=$((last + 1))
  mkdir -p "$state/cycles/$(gen_name "$gen")"
  echo "$listing" > "$state/cycles/$(gen_name "$gen")/crawl.paths.tmp"
  mv "$state/cycles/$(gen_name "$gen")/crawl.paths.tmp" "$state/cycles/$(gen_name "$gen")/crawl.paths"
}

# step_lines NAME: the arguments of a Spark step from steps.conf, placeholders filled, one per line
step_line() { grep -E "^$1 " "$STEPS_FILE" | head -n 1; }
expand() {
  local w
  for w in "$@"; do
    case "$w" in
      "{tokenize_args}") for x in $tokenize_args; do echo "$x"; done ;;
      "{pretrain_args}") for x in $pretrain_args; do echo "$x"; done ;;
      "{gate_args}") echo --max-old-regression; echo "$max_old"; echo --min-new-gain; echo "$min_new" ;;
      *) w="${w//\{mix_earlier\}/$mix_earlier}"; w="${w//\{state\}/$state}"; w="${w//\{cycle\}/$cycle}"; w="${w//\{generation\}/$((10#$gen))}"
         echo "$w" ;;
    esac
  done
}
spark_steps() { grep -vE '^(#|conf |$)' "$STEPS_FILE" | awk '{print $1}'; }
step_confs() { grep -E "^conf $1 " "$STEPS_FILE" | sed "s/^conf $1 //"; }
run_spark_step() {
  local name="$1" line module class args=() confs=() c
  line="$(step_line "$name")"; [[ -n "$line" ]] || die "no step $name in $STEPS_FILE"
  read -r _ module class rest <<< "$line"
  # shellcheck disable=SC2086
  mapfile -t args < <(expand $rest)
  while IFS= read -r c; do [[ -n "$c" ]] && confs+=(--conf "$c"); done < <(step_confs "$name")
  log "step $name: $class"
  "$SPARKGPT_DEPLOY_DIR/submit.sh" ${spark[@]+"${spark[@]}"} ${confs[@]+"${confs[@]}"} --class "$class" \
    "$(job_jar "$module")" "${args[@]}"
}
print_steps() {
  local name line module class args=() c a first
  for name in $(spark_steps); do
    line="$(step_line "$name")"; read -r _ module class rest <<< "$line"
    # shellcheck disable=SC2086
    mapfile -t args < <(expand $rest)
    printf '{"step": "%s", "module": "%s", "class": "%s", "conf": [' "$name" "$module" "$class"
    first=1; while IFS= read -r c; do [[ -n "$c" ]] || continue; ((first)) || printf ', '; first=0
      printf '"%s"' "${c//\"/\\\"}"; done < <(step_confs "$name")
    printf '], "args": ['
    first=1; for a in "${args[@]}"; do ((first)) || printf ', '; first=0; printf '"%s"' "${a//\"/\\\"}"; done
    printf ']}\n'
  done
}

done_step() { # done_step NAME: true when the step's output is complete
  case "$1" in
    preprocess) [[ -f "$cycle/preprocess/_SUCCESS" ]] ;;
    dedup) [[ -f "$cycle/dedup/_SUCCESS" ]] ;;
    tokenize) [[ -f "$cycle/data/_SUCCESS" || -f "$cycle/data/tokens/val/_SUCCESS" && -f "$cycle/data/tokens/train/_SUCCESS" ]] ;;
    pretrain) [[ -f "$cycle/run/_SUCCESS" ]] ;;
    evaluate) [[ -f "$cycle/eval.json" ]] ;;
    *) return 1 ;;
  esac
}

promote() {
  local decision name d parent
  [[ -f "$cycle/outcome.json" ]] && { log "cycle $(gen_name "$gen") already ended: $(cat "$cycle/outcome.json")"; return; }
  [[ -f "$cycle/eval.json" ]] || die "no $cycle/eval.json: run the evaluate step first"
  if ! grep -q '"promote" *: *true' "$cycle/eval.json"; then
    record "$cycle" refused "$(grep -o '"reason" *: *"[^"]*"' "$cycle/eval.json" | sed 's/.*: *"//; s/"$//')"
    return
  fi
  name="$(gen_name "$gen")"; d="$models/$name"; parent="$(readlink "$models/current")"
  rm -rf "$d.tmp" && mkdir -p "$d.tmp"
  cp "$cycle/run/model/model.ckpt" "$d.tmp/model.ckpt"
  cp -r "$models/current/tokenizer" "$d.tmp/tokenizer"   # frozen: the tokenizer of the model in service
  ln -s "$cycle/data/tokens/val" "$d.tmp/val"
  { cat "$models/current/crawl-files.txt"; cat "$cycle/crawl.paths"; } > "$d.tmp/crawl-files.txt"
  # the training tokens of this model's line, for a later --mix-earlier (absent in a state made before it: none)
  { [[ ! -f "$models/current/train-tokens.txt" ]] || cat "$models/current/train-tokens.txt"
    echo "$cycle/data/tokens/train"; } > "$d.tmp/train-tokens.txt"
  printf '{"generation": %d, "parent": "%s", "crawl_files": %d, "documents_preprocessed": %s, "documents_new": %s, "tokens": %s, "eval": "%s"}\n' \
    "$((10#$gen))" "$parent" "$(wc -l < "$cycle/crawl.paths")" "$(json_num "$cycle/preprocess/stats.json" documentsKept)" \
    "$(json_num "$cycle/dedup/stats.json" documentsKept)" "$(json_num "$cycle/data/stats.json" tokens)" \
    "$cycle/eval.json" > "$d.tmp/lineage.json"
  rm -rf "$d" && mv "$d.tmp" "$d"
  swap previous "$parent"
  swap current "$name"
  echo "$name" >> "$models/history"
  record "$cycle" promoted "gate holds"
}

cycle_through() { # cycle_through [LAST]: the steps in order, stopping after LAST when given
  local s
  for s in $(spark_steps); do
    if [[ -f "$cycle/outcome.json" ]]; then log "cycle $(gen_name "$gen") already ended: $(cat "$cycle/outcome.json")"; return; fi
    if done_step "$s"; then log "step $s: complete, skipped"; else run_spark_step "$s"; fi
    if [[ "$s" == dedup && "$(json_num "$cycle/dedup/stats.json" documentsKept)" == 0 ]]; then
      record "$cycle" no_new_documents "the crawl holds no document that is not already in an earlier corpus"
      return
    fi
  done
  promote
}

case "$mode" in
  print)
    gen="${print_gen:-1}"; cycle="$state/cycles/$(gen_name "$gen")"; print_steps ;;
  step)
    require_current
    if [[ -n "$print_gen" && "$step" != plan ]]; then
      # a task of a planned cycle (the DAG passes plan's generation): that cycle, even once it has ended
      gen="$print_gen"; cycle="$state/cycles/$(gen_name "$gen")"
      [[ -f "$cycle/crawl.paths" ]] || die "no planned cycle $cycle (run --step plan first)"
    else
      plan; cycle="$state/cycles/$(gen_name "$gen")"
    fi
    case "$step" in
      plan) echo "$((10#$gen))" ;;
      promote) promote ;;
      *) if [[ -f "$cycle/outcome.json" ]]; then log "cycle already ended: $(cat "$cycle/outcome.json")"
         elif done_step "$step"; then log "step $step: complete, skipped"; else run_spark_step "$step"; fi
         if [[ "$step" == dedup && "$(json_num "$cycle/dedup/stats.json" documentsKept)" == 0 ]]; then
           record "$cycle" no_new_documents "the crawl holds no document that is not already in an earlier corpus"
         fi ;;
    esac ;;
  cycle)
    require_current
    plan; cycle="$state/cycles/$(gen_name "$gen")"
    log "cycle $(gen_name "$gen") on $(wc -l < "$cycle/crawl.paths") crawl files, from $(readlink "$models/current")"
    cycle_through ;;
esac
