#!/usr/bin/env bash
# Executes the report notebooks headless on the demo's outputs and leaves them with their outputs (plots) in place.
#
#   notebooks/run.sh [DEMO_DIR]     (default work/demo; runs deploy/spark-submit/demo.sh there first if it is empty,
#                                    and inspect.sh --profile on its preprocess/documents)
#
# Needs Debian's jupyter-nbconvert python3-ipykernel python3-matplotlib python3-pandas python3-nbformat, and
# /usr/bin/python3 (the python with them). A notebook whose input changed format stops with an error: this fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
demo="$(realpath -m "${1:-$root/work/demo}")"
for t in jupyter-nbconvert; do command -v "$t" > /dev/null || { echo "run.sh: no $t (apt-get install jupyter-nbconvert python3-ipykernel python3-matplotlib python3-pandas python3-nbformat)" >&2; exit 2; }; done
if [[ ! -f "$demo/run/_SUCCESS" ]]; then
  "$root/deploy/spark-submit/demo.sh" --output "$demo"
fi
if [[ ! -s "$demo/samples.txt" ]]; then
  . "$root/deploy/spark-submit/_lib.sh"
  "$root/deploy/spark-submit/submit.sh" --master "local[1]" --class io.sparkgpt.model.cli.GptMain \
    "$(job_jar distributed-trainer)" sample --checkpoint "$demo/run/model/model.ckpt" \
    --tokenizer "$demo/data/tokenizer" --prompt "The " --max-tokens 120 --temperature 0.8 --top-k 40 --num-samples 3 --seed 7 > "$demo/samples.txt"
fi
if [[ ! -s "$demo/preprocess/profile.json" ]]; then
  # the kept documents' length and quality-signal histograms (Debian has no Parquet reader for the notebook)
  "$root/deploy/spark-submit/inspect.sh" --master "local[2]" -- --input "$demo/preprocess/documents" --rows 0 \
    --profile "$demo/preprocess/profile.json" > /dev/null
fi
/usr/bin/python3 "$here/make_notebooks.py" "$here"
for nb in corpus-report training-report checkpoint-report; do
  SPARKGPT_DEMO="$demo" /usr/bin/python3 -m nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.kernel_name=python3 "$here/$nb.ipynb"
  echo "notebooks/$nb.ipynb executed on $demo"
done
