#!/usr/bin/env bash
# Can DPO's preference term itself raise held-out accuracy, given a start that still makes many and varied errors?
# From the SFT model of gains.sh (0.83 on the held-out problems) it added nothing over its SFT term (bench/RESULTS.md,
# "DPO's preference term against its SFT term"). Here the start is a weaker SFT model: the same SFT command cut to
# START_ROUNDS rounds (its own, shorter schedule). From it, at each seed, on-policy pairs (SETS: e8 = 8 answers per
# prompt, a pair per distinct wrong answer; e8m = the same from prompts answered right sometimes only, so that no
# chosen answer is the reference completion; f8 = 8 answers, one pair per prompt, its first wrong answer) and three
# runs at equal steps on the same pairs and batches:
#   ws-SET-b0.3-w0-...   DPO, the preference term alone (no SFT term)
#   ws-SET-ctl-w0.3-...  the control: beta 1e-6, the SFT term alone (fine-tuning on the model's own right answers)
#   ws-SET-b0.3-w0.3-... both terms
# each graded by evaluate.sh on the same 400 held-out problems against the start (gained / lost, sign test; KL to the
# start), and each DPO run against the control problem by problem (pref_vs_ctl.py). A finished run is kept.
#
# START_RUN instead starts from a finished SFT run (e.g. OUT/posttrain/sft, gains.sh's 0.83 model): the same runs,
# named fs-... in OUT/posttrain/from-NAME (NAME = the run directory's name), graded against that model.
#
#   bench/posttrain/dpo-weak-start.sh [OUT]   (default work/align: needs OUT/run/_SUCCESS, the demo's base model)
#   env: START_ROUNDS (30) SEEDS ("1 2 3") SETS ("e8") BETA (0.3) LR (2e-4) ROUNDS (DPO rounds, 10; other than 10
#        named -rN) ONLY (names or patterns of runs,
#        default all; the summary tables list every run done)
#        START_RUN (a finished SFT run directory to start from, instead of the START_ROUNDS start)
#        SPARKGPT_JARS
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/work/align}"
d="$root/deploy/spark-submit"
task="$out/posttrain/task"
tok="$out/data/tokenizer"
if [[ -n "${START_RUN:-}" ]]; then
  [[ -f "$START_RUN/_SUCCESS" && -f "$START_RUN/model/model.ckpt" ]] \
    || { echo "START_RUN $START_RUN: no finished run (_SUCCESS, model/model.ckpt)" >&2; exit 1; }
  START_RUN="$(cd "$START_RUN" && pwd)"
  pw="$out/posttrain/from-$(basename "$START_RUN")" start="$START_RUN/model/model.ckpt" tag=fs
else
  pw="$out/posttrain/weak-r${START_ROUNDS:-30}" start="$pw/start/model/model.ckpt" tag=ws
fi
beta="${BETA:-0.3}" lr="${LR:-2e-4}" rounds="${ROUNDS:-10}"
rtag=""
[[ "$rounds" == 10 ]] || rtag="-r$rounds"
[[ -f "$out/run/_SUCCESS" ]] || { echo "no pretrained model in $out/run" >&2; exit 1; }
uptime
mkdir -p "$task" "$pw"
[[ -f "$task/test.jsonl" ]] || python3 "$root/bench/posttrain/compare_data.py" "$task"
sched=(--workers 2 --local-steps 10 --batch-size 16 --overwrite)
wanted() { # ONLY: names or shell patterns (ws-*-s2)
  [[ -z "${ONLY:-}" ]] && return 0
  local pat
  for pat in $ONLY; do [[ "$1" == $pat ]] && return 0; done
  return 1
}
ev() { # name, model.ckpt: greedy exact match, sampled reward and KL to the start on the held-out problems
  [[ -f "$pw/eval-$1.json" ]] || "$d/evaluate.sh" -- --model "$2" --tokenizer "$tok" --exact-match "$task/test.jsonl" \
    --max-new-tokens 4 --reference "$start" --report "$pw/eval-$1.json" > "$pw/eval-$1.log" 2>&1
}

# the start: gains.sh's SFT command (lr 2e-3 -> 2e-4, warmup 20, seed 1), START_ROUNDS rounds instead of 120
[[ -n "${START_RUN:-}" || -f "$pw/start/_SUCCESS" ]] || "$d/sft.sh" --master "local[2]" -- --init "$out/run" \
  --tokenizer "$tok" --train "$task/sft.jsonl" --val "$task/val.jsonl" --max-rounds "${START_ROUNDS:-30}" --lr 2e-3 \
  --min-lr 2e-4 --warmup 20 --eval-every 5 --eval-generate 50 --max-new-tokens 4 --output "$pw/start" "${sched[@]}" \
  --seed 1 > "$pw/start.log" 2>&1
ev start "$start"
echo "start done $(date -u +%H:%M): $(grep -h '^figure' "$pw/eval-start.log" | tr '\n' ' ')"

dpo() { # name, job arguments: DPO from the start on its own answers (ROUNDS rounds), then its evaluation
  local name="$1"; shift
  wanted "$name" || return 0
  [[ -f "$pw/$name/_SUCCESS" ]] || "$d/dpo.sh" --master "local[2]" -- --init "$start" --tokenizer "$tok" \
    --data "$task/prompts.jsonl" --max-new-tokens 4 --max-rounds "$rounds" --warmup 10 \
    --eval-every 5 --output "$pw/$name" "${sched[@]}" "$@" > "$pw/$name.log" 2>&1 \
    || { echo "$name FAILED (the other runs go on): $pw/$name.log" >&2; return 0; }
  ev "$name" "$pw/$name/model/model.ckpt"
  echo "$name done $(date -u +%H:%M)"
}
minlr=$(python3 -c "print('%g' % ($lr / 10))")
declare -A sets=([e8]="--on-policy 8 --each-wrong" [e8m]="--on-policy 8 --each-wrong --mixed-only"
  [f8]="--on-policy 8")
for set in ${SETS:-e8}; do
  [[ -n "${sets[$set]:-}" ]] || { echo "unknown set $set (e8, e8m, f8)" >&2; exit 2; }
  for s in ${SEEDS:-1 2 3}; do
    pref="$tag-$set-b$beta-w0-lr$lr$rtag-s$s" ctl="$tag-$set-ctl-w0.3-lr$lr$rtag-s$s"
    both="$tag-$set-b$beta-w0.3-lr$lr$rtag-s$s"
    # shellcheck disable=SC2086
    dpo "$pref" ${sets[$set]} --beta "$beta" --sft-weight 0 --lr "$lr" --min-lr "$minlr" --seed "$s"
    # shellcheck disable=SC2086
    dpo "$ctl" ${sets[$set]} --beta 1e-6 --sft-weight 0.3 --lr "$lr" --min-lr "$minlr" --seed "$s"
    # shellcheck disable=SC2086
    dpo "$both" ${sets[$set]} --beta "$beta" --sft-weight 0.3 --lr "$lr" --min-lr "$minlr" --seed "$s"
    for p in "$pref" "$both"; do
      [[ -f "$pw/$p/_SUCCESS" && -f "$pw/$ctl/_SUCCESS" ]] || continue
      grep -qx "$p $ctl" "$pw/pd-pairs.txt" 2> /dev/null || echo "$p $ctl" >> "$pw/pd-pairs.txt"
    done
  done
done

# what the start's draws looked like (the same at every run of a seed: they depend on the seed only)
for f in "$pw"/$tag-*-ctl-*/on-policy.json; do
  [[ -f "$f" ]] && python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(sys.argv[1].split('/')[-2], 'train', s['train'], 'held out', s['held_out'])" "$f"
done
python3 "$root/bench/posttrain/vs_start.py" "$pw" start
[[ ! -f "$pw/pd-pairs.txt" ]] || python3 "$root/bench/posttrain/pref_vs_ctl.py" "$pw" start
uptime
