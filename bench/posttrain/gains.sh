#!/usr/bin/env bash
# Do DPO and PPO raise held-out accuracy over the SFT model beyond noise, and at what KL? From the SFT model of
# align.sh / demo-posttrain.sh (OUT/posttrain/sft; made here with the same arguments if missing, from OUT/run),
# DPO variants (offline pairs as in demo-posttrain; on-policy pairs; larger beta, lower lr; SFT term) and PPO with the
# checker at several seeds, each graded by evaluate.sh on the same 400 held-out problems: greedy exact match, its
# change over SFT counted problem by problem (gained / lost; a two-sided sign test on those), sampled answers right
# (T=1) and KL to SFT. A finished run is kept: a re-run only adds what is missing.
#
#   bench/posttrain/gains.sh [OUT]        (default work/align; needs OUT/run/_SUCCESS, the demo's pretrained model)
#   env: DPO_ROUNDS (10) PPO_ROUNDS (25) PPO_SEEDS ("1 2 3") ONLY (names or patterns of runs to do, default all)
#        SFT_AUG_SEEDS ("1": SFT with augmentation, and plain SFT at the seeds other than 1)
#        PD_SEEDS ("1 2 3", the pd block's seeds) SPARKGPT_JARS
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/work/align}"
d="$root/deploy/spark-submit"
pt="$out/posttrain"
task="$pt/task"
tok="$out/data/tokenizer"
sft="$pt/sft/model/model.ckpt"
[[ -f "$out/run/_SUCCESS" ]] || { echo "no pretrained model in $out/run" >&2; exit 1; }
uptime
mkdir -p "$task"
[[ -f "$task/test.jsonl" ]] || python3 "$root/bench/posttrain/compare_data.py" "$task"
sched=(--workers 2 --local-steps 10 --batch-size 16 --overwrite)
wanted() { # ONLY: names or shell patterns (pd-*-s2)
  [[ -z "${ONLY:-}" ]] && return 0
  local pat
  for pat in $ONLY; do [[ "$1" == $pat ]] && return 0; done
  return 1
}
ev() { # name, model.ckpt: greedy exact match, sampled reward and KL to SFT on the held-out problems
  [[ -f "$pt/eval-$1.json" ]] || "$d/evaluate.sh" -- --model "$2" --tokenizer "$tok" --exact-match "$task/test.jsonl" \
    --max-new-tokens 4 --reference "$sft" --report "$pt/eval-$1.json" > "$pt/eval-$1.log" 2>&1
}

[[ -f "$pt/sft/_SUCCESS" ]] || "$d/sft.sh" --master "local[2]" -- --init "$out/run" --tokenizer "$tok" \
  --train "$task/sft.jsonl" --val "$task/val.jsonl" --max-rounds 120 --lr 2e-3 --min-lr 2e-4 --warmup 20 \
  --eval-every 5 --eval-generate 50 --max-new-tokens 4 --output "$pt/sft" "${sched[@]}" --seed 1 > "$pt/sft.log" 2>&1
ev sft "$sft"
echo "sft done $(date -u +%H:%M)"

# SFT with and without augmentation on this task, the same command and steps: `--augment reword,renumber` (4 augmented
# copies of each problem; renumber never draws a held-out problem) beside plain SFT at the same seeds
for s in ${SFT_AUG_SEEDS:-1}; do
  for kind in plain aug; do
    name="sft-$kind-s$s"
    [[ "$kind-$s" != plain-1 ]] || continue # plain SFT at seed 1 is `sft` itself
    wanted "$name" || continue
    extra=()
    [[ "$kind" == plain ]] || extra=(--augment reword,renumber --augment-copies 4 --augment-exclude "$task/test.jsonl")
    [[ -f "$pt/$name/_SUCCESS" ]] || "$d/sft.sh" --master "local[2]" -- --init "$out/run" --tokenizer "$tok" \
      --train "$task/sft.jsonl" --val "$task/val.jsonl" --max-rounds 120 --lr 2e-3 --min-lr 2e-4 --warmup 20 \
      --eval-every 5 --eval-generate 50 --max-new-tokens 4 --output "$pt/$name" "${sched[@]}" --seed "$s" \
      "${extra[@]}" > "$pt/$name.log" 2>&1 || { echo "$name FAILED (the other runs go on): $pt/$name.log" >&2; continue; }
    ev "$name" "$pt/$name/model/model.ckpt"
    echo "$name done $(date -u +%H:%M)"
  done
done

dpo() { # name, job arguments (data, beta, lr, ...): DPO from the SFT model (or $from; $rounds), then its evaluation
  local name="$1"; shift
  wanted "$name" || return 0
  [[ -f "$pt/$name/_SUCCESS" ]] || "$d/dpo.sh" --master "local[2]" -- --init "${from:-$sft}" --tokenizer "$tok" \
    --max-rounds "${rounds:-${DPO_ROUNDS:-10}}" --warmup 10 --eval-every 5 --output "$pt/$name" "${sched[@]}" "$@" \
    > "$pt/$name.log" 2>&1 || { echo "$name FAILED (the other runs go on): $pt/$name.log" >&2; return 0; }
  ev "$name" "$pt/$name/model/model.ckpt"
  echo "$name done $(date -u +%H:%M)"
}
off=(--data "$task/prefs.jsonl")
on=(--data "$task/prompts.jsonl" --on-policy 4 --max-new-tokens 4)
# most promising first: the SFT model's own near misses as rejected answers; then a gentler step; then the SFT term
dpo dpo-on-b0.3-lr2e-4 "${on[@]}" --beta 0.3 --lr 2e-4 --min-lr 2e-5 --seed 1
dpo dpo-on-b0.3-lr2e-4-sft1 "${on[@]}" --beta 0.3 --lr 2e-4 --min-lr 2e-5 --sft-weight 1 --seed 1

ppo() { # seed [rounds]: PPO with the answer checker from the SFT model, align.sh's settings (rounds: PPO_ROUNDS)
  local rounds="${2:-${PPO_ROUNDS:-25}}" name="ppo-s$1"
  [[ -z "${2:-}" ]] || name="ppo-r$2-s$1"
  wanted "$name" || return 0
  [[ -f "$pt/$name/_SUCCESS" ]] || "$d/ppo.sh" --master "local[2]" -- --init "$sft" --tokenizer "$tok" \
    --data "$task/prompts.jsonl" --reward checker --max-new-tokens 4 --kl-coef 0.05 \
    --max-rounds "$rounds" --local-steps 5 --batch-size 16 --lr 5e-4 --min-lr 5e-5 --warmup 5 \
    --eval-every 5 --output "$pt/$name" --workers 2 --seed "$1" --overwrite > "$pt/$name.log" 2>&1 \
    || { echo "$name FAILED (the other runs go on): $pt/$name.log" >&2; return 0; }
  ev "$name" "$pt/$name/model/model.ckpt"
  echo "$name done $(date -u +%H:%M)"
}
for s in ${PPO_SEEDS:-1 2 3}; do
  ppo "$s"
done
# the levers one at a time: on-policy pairs at demo-posttrain's beta and lr; its offline pairs; offline + the rest
dpo dpo-on-b0.1 "${on[@]}" --beta 0.1 --lr 5e-4 --min-lr 5e-5 --seed 1
dpo dpo-off-b0.1 "${off[@]}" --beta 0.1 --lr 5e-4 --min-lr 5e-5 --seed 1
dpo dpo-off-b0.3-lr2e-4-sft1 "${off[@]}" --beta 0.3 --lr 2e-4 --min-lr 2e-5 --sft-weight 1 --seed 1
# the best of the above (on-policy, beta 0.3, lr 2e-4, SFT term 1) at two more seeds (other draws, other batches);
# with 8 answers per prompt (more of its errors found); a second on-policy iteration from its model (now the
# reference and the sampler; the KL column stays against SFT)
best=(--beta 0.3 --lr 2e-4 --min-lr 2e-5 --sft-weight 1)
dpo dpo-on-b0.3-lr2e-4-sft1-s2 "${on[@]}" "${best[@]}" --seed 2
dpo dpo-on-b0.3-lr2e-4-sft1-s3 "${on[@]}" "${best[@]}" --seed 3
dpo dpo-on8-b0.3-lr2e-4-sft1 --data "$task/prompts.jsonl" --on-policy 8 --max-new-tokens 4 "${best[@]}" --seed 1
from="$pt/dpo-on-b0.3-lr2e-4-sft1/model/model.ckpt" dpo dpo-on-b0.3-lr2e-4-sft1-it2 "${on[@]}" "${best[@]}" --seed 2
for s in ${PPO_SEEDS:-1 2 3}; do
  ppo "$s" 75 # PPO three times longer
done
# the second on-policy iteration at two more seeds (each from the first iteration of that seed), a third iteration;
# control: the SFT term alone on the same on-policy chosen answers (beta 1e-6: the DPO term's gradient ~ 0) - is
# the gain DPO's, or more SFT on the model's own right answers?; the offline pairs with the gentle step and the SFT
# term (as good as on-policy at seed 1) at two more seeds
it1="$pt/dpo-on-b0.3-lr2e-4-sft1"
from="$it1-s2/model/model.ckpt" dpo dpo-on-b0.3-lr2e-4-sft1-it2-s2 "${on[@]}" "${best[@]}" --seed 3
from="$it1-s3/model/model.ckpt" dpo dpo-on-b0.3-lr2e-4-sft1-it2-s3 "${on[@]}" "${best[@]}" --seed 4
dpo dpo-on-sft1-only "${on[@]}" --beta 1e-6 --lr 2e-4 --min-lr 2e-5 --sft-weight 1 --seed 1
from="$pt/dpo-on-sft1-only/model/model.ckpt" dpo dpo-on-sft1-only-it2 "${on[@]}" --beta 1e-6 --lr 2e-4 --min-lr 2e-5 \
  --sft-weight 1 --seed 2
from="$it1-it2/model/model.ckpt" dpo dpo-on-b0.3-lr2e-4-sft1-it3 "${on[@]}" "${best[@]}" --seed 3
dpo dpo-off-b0.3-lr2e-4-sft1-s2 "${off[@]}" "${best[@]}" --seed 2
dpo dpo-off-b0.3-lr2e-4-sft1-s3 "${off[@]}" "${best[@]}" --seed 3

# pd: the preference term's own part. Each DPO run beside its control, the same run with beta 1e-6 (the SFT term
# alone: same pairs, batches, steps, lr; same SFT weight unless given); sets of on-policy pairs: e8 = 8 answers per
# prompt, a pair per distinct wrong answer; e8m = the same from prompts answered right sometimes only
# (bench/RESULTS.md, "DPO's preference term against its SFT term")
declare -A pdset=([e8]="--on-policy 8 --each-wrong" [e8m]="--on-policy 8 --each-wrong --mixed-only"
  [f4]="--on-policy 4")
pd() { # SET BETA SFT_WEIGHT LR SEED [ROUNDS (named -rN)] [CONTROL_SFT_WEIGHT]: a DPO run and its control, listed in
  # pd-pairs.txt for pref_vs_ctl.py
  local set="$1" b="$2" w="$3" lr="$4" s="$5" r="${6:-}" cw="${7:-$3}" minlr name ctl tag=""
  minlr=$(python3 -c "print('%g' % ($lr / 10))")
  [[ -z "$r" ]] || tag="-r$r"
  name="pd-$set-b$b-w$w-lr$lr$tag-s$s" ctl="pd-$set-ctl-w$cw-lr$lr$tag-s$s"
  wanted "$name" || return 0
  # shellcheck disable=SC2086
  rounds="$r" dpo "$name" --data "$task/prompts.jsonl" --max-new-tokens 4 ${pdset[$set]} --beta "$b" \
    --sft-weight "$w" --lr "$lr" --min-lr "$minlr" --seed "$s"
  # shellcheck disable=SC2086
  rounds="$r" ONLY="$ctl" dpo "$ctl" --data "$task/prompts.jsonl" --max-new-tokens 4 ${pdset[$set]} --beta 1e-6 \
    --sft-weight "$cw" --lr "$lr" --min-lr "$minlr" --seed "$s"
  grep -qx "$name $ctl" "$pt/pd-pairs.txt" 2> /dev/null || echo "$name $ctl" >> "$pt/pd-pairs.txt"
}
for s in ${PD_SEEDS:-1 2 3}; do
  pd e8 0.3 0.3 2e-4 "$s"
  pd e8m 0.3 0.3 2e-4 "$s" # only prompts answered right sometimes
  pd e8 1 0.3 2e-4 "$s"    # beta 1: a stronger preference term at the same SFT weight
done
pd e8 0.3 0 2e-4 1 "" 0.3 # the preference term alone, against the SFT term alone
for s in ${PD_SEEDS:-1 2 3}; do
  pd e8 0.3 0.3 1e-4 "$s" 30 # half the lr, three times the steps
done
# hppo's PPO runs: name (hppo-...-sN), seed, then the job's options that vary (lr, kl-coef, rounds, batch, ...);
# the rest as ppo() above
hppo() {
  local name="$1" seed="$2"; shift 2
  wanted "$name" || return 0
  [[ -f "$pt/$name/_SUCCESS" ]] || "$d/ppo.sh" --master "local[2]" -- --init "$sft" --tokenizer "$tok" \
    --data "$task/prompts.jsonl" --reward checker --max-new-tokens 4 --local-steps 5 --warmup 5 --eval-every 5 \
    --output "$pt/$name" --workers 2 --seed "$seed" --overwrite "$@" > "$pt/$name.log" 2>&1 \
    || { echo "$name FAILED (the other runs go on): $pt/$name.log" >&2; return 0; }
  ev "$name" "$pt/$name/model/model.ckpt"
  echo "$name done $(date -u +%H:%M)"
}
for s in ${PPO_SEEDS:-1 2 3}; do
  # a gentler step than ppo() (lr 5e-4)
  hppo "hppo-lr2e-4-s$s" "$s" --kl-coef 0.05 --lr 2e-4 --min-lr 2e-5 --max-rounds 25 --batch-size 16
done
for s in ${PPO_SEEDS:-1 2 3}; do
  # 4 samples of each of 8 prompts per step, each measured against its 3 siblings (RLOO) instead of the value head
  hppo "hppo-rloo4-b8-lr2e-4-s$s" "$s" --kl-coef 0.05 --lr 2e-4 --min-lr 2e-5 --max-rounds 25 --batch-size 8 \
    --samples-per-prompt 4 --baseline group
done
for s in ${PPO_SEEDS:-1 2 3}; do
  # the group baseline on mixed groups only: up to 8 draws of 16 prompts per step to find 16 prompts whose 4 answers
  # are not all right (or all wrong), each measured against its 3 siblings (DAPO's dynamic sampling): at SFT's ~81%
  # right answers most groups are all right, and their advantages are ~0, so without it a step's update rests on
  # one or two groups
  hppo "hppo-rloo4-b16-mg8-lr2e-4-s$s" "$s" --kl-coef 0.05 --lr 2e-4 --min-lr 2e-5 --max-rounds 25 --batch-size 16 \
    --samples-per-prompt 4 --baseline group --mixed-group-draws 8
done
for s in ${PPO_SEEDS:-1 2 3}; do
  # the same for twice the rounds (50): the best PPO setting measured (ppo.sh's header; RESULTS part 4)
  hppo "hppo-rloo4-b16-mg8-lr2e-4-r50-s$s" "$s" --kl-coef 0.05 --lr 2e-4 --min-lr 2e-5 --max-rounds 50 \
    --batch-size 16 --samples-per-prompt 4 --baseline group --mixed-group-draws 8
done
for s in ${PPO_SEEDS:-1 2 3}; do
  # twice again the rounds (100), with up to 16 draws per step: late in a 50-round run 8 draws no longer find 16
  # mixed groups (RESULTS part 4c)
  hppo "hppo-rloo4-b16-mg16-lr2e-4-r100-s$s" "$s" --kl-coef 0.05 --lr 2e-4 --min-lr 2e-5 --max-rounds 100 \
    --batch-size 16 --samples-per-prompt 4 --baseline group --mixed-group-draws 16
done
for s in ${PPO_SEEDS:-1 2 3}; do
  # the value baseline, its head trained alone for the first 5 rounds (policy frozen), then 25 rounds of PPO
  hppo "hppo-vw5-lr2e-4-s$s" "$s" --kl-coef 0.05 --lr 2e-4 --min-lr 2e-5 --max-rounds 30 --batch-size 16 \
    --value-warmup-rounds 5
done

# the table: every evaluated model against SFT, problem by problem, then each setting over its seeds
python3 "$root/bench/posttrain/vs_start.py" "$pt" sft
[[ ! -f "$pt/pd-pairs.txt" ]] || python3 "$root/bench/posttrain/pref_vs_ctl.py" "$pt"
uptime
