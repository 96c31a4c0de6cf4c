"""Writes the three report notebooks (nbformat 4). Their code reads only the JSON/JSONL the jobs write (stats.json,
profile.json, metrics.jsonl, summary.json, eval.json, samples.txt): Debian 12 has pandas and matplotlib but no
Parquet reader (the documents' lengths and signals come as histograms from `inspect --profile`).
Each notebook checks the fields it reads and stops with a clear error when a job's output format changes."""
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SETUP = '''import json, os
from pathlib import Path
import pandas as pd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
%matplotlib inline
DEMO = Path(os.environ.get("SPARKGPT_DEMO", "../work/demo")).resolve()
def need(obj, keys, what):
    missing = [k for k in keys if k not in obj]
    if missing:
        raise KeyError(f"{what}: the job's output format changed, missing {missing}; has {sorted(obj)}")
    return obj
print("demo outputs:", DEMO)'''

CORPUS = [
    new_markdown_cell("# Corpus report\nWhat preprocessing kept and why it dropped the rest, from "
                      "`preprocess/stats.json` (documents per step, exclusion reasons, languages, dedup clusters and "
                      "their sizes), and what the kept documents look like, from `preprocess/profile.json` "
                      "(`inspect --profile`: text length and quality-signal histograms with fixed bins)."),
    new_code_cell(SETUP),
    new_code_cell('''stats = json.loads((DEMO / "preprocess" / "stats.json").read_text())
need(stats, ["job", "steps", "totals"], "preprocess/stats.json")
steps = pd.DataFrame([need(s, ["step", "documentsIn", "documentsKept", "droppedByReason", "counters"], "a step")
                      for s in stats["steps"]])
steps[["step", "documentsIn", "documentsKept"]]'''),
    new_code_cell('''ax = steps.plot.bar(x="step", y=["documentsIn", "documentsKept"], figsize=(9, 3.5), rot=30)
ax.set_ylabel("documents"); ax.set_title("documents in and kept, per step"); plt.tight_layout()'''),
    new_code_cell('''reasons = pd.DataFrame([(s["step"], r, n) for s in stats["steps"] for r, n in s["droppedByReason"].items() if n],
                       columns=["step", "reason", "documents"]).sort_values("documents", ascending=False)
ax = reasons.plot.barh(x="reason", y="documents", figsize=(8, 0.3 * len(reasons) + 1), legend=False)
ax.invert_yaxis(); ax.set_title("exclusion reasons"); plt.tight_layout()
reasons'''),
    new_code_cell('''langs = {k[5:]: v for s in stats["steps"] for k, v in s["counters"].items() if k.startswith("lang_")}
if not langs:
    raise KeyError("preprocess/stats.json: no lang_* counters in any step (the language step's format changed?)")
pd.Series(langs).sort_values(ascending=False).plot.bar(figsize=(8, 3), title="documents by identified language")
plt.tight_layout()'''),
    new_code_cell('''dedup = need({s["step"]: s for s in stats["steps"]}, ["dedup"], "preprocess/stats.json steps")["dedup"]
need(dedup["counters"], ["candidate_pairs", "verified_pairs", "clusters", "largest_cluster"], "dedup counters")
pd.Series({k: dedup["counters"][k] for k in ["candidate_pairs", "verified_pairs", "clusters", "largest_cluster"]})'''),
    new_code_cell('''# the dedup step's cluster-size histogram: counters cluster_size_<bucket> (buckets 2, 3-4, 5-8, ...)
sizes = {k[len("cluster_size_"):]: v for k, v in dedup["counters"].items() if k.startswith("cluster_size_")}
if sum(sizes.values()) != dedup["counters"]["clusters"]:
    raise KeyError(f"dedup counters: cluster_size_* sum to {sum(sizes.values())} but clusters = "
                   f"{dedup['counters']['clusters']}: the dedup step's histogram format changed")
buckets = {"2": 0, "3-4": 0, "5-8": 0, **sizes}
hist = pd.Series(buckets)[sorted(buckets, key=lambda b: int(b.split("-")[0]))]
ax = hist.plot.bar(figsize=(6, 3), rot=0, legend=False)
ax.set_xlabel("documents in the cluster"); ax.set_ylabel("clusters")
ax.set_title("near-duplicate clusters by size" + ("" if sizes else " (none in this corpus)")); plt.tight_layout()'''),
    new_code_cell('''profile = json.loads((DEMO / "preprocess" / "profile.json").read_text())
need(profile, ["documents", "textChars", "textWords", "signals", "languages"], "preprocess/profile.json")
def length_hist(rows, what):
    """Power-of-two bins [0,1), [1,2), [2,4), ... with the empty ones between filled in."""
    got = {int(need(r, ["lo", "hi", "count"], what)["lo"]): r["count"] for r in rows}
    if sum(got.values()) != profile["documents"]:
        raise ValueError(f"profile.json {what}: bins hold {sum(got.values())} of {profile['documents']} documents")
    top = int(max(r["hi"] for r in rows))
    los = [0] + [2 ** k for k in range(top.bit_length() - 1)]
    return pd.Series({("0" if lo == 0 else "1" if lo == 1 else f"{lo}-{2 * lo - 1}"): got.get(lo, 0) for lo in los})
fig, ax = plt.subplots(1, 2, figsize=(12, 3.5))
for a, key, unit in [(ax[0], "textChars", "characters"), (ax[1], "textWords", "words")]:
    length_hist(profile[key], key).plot.bar(ax=a, rot=45)
    a.set_xlabel(unit); a.set_ylabel("documents"); a.set_title(f"kept documents by length in {unit}")
plt.tight_layout()
pd.Series(profile["languages"], name="kept documents by language")'''),
    new_code_cell('''signals = profile["signals"]
if not signals:
    raise KeyError("preprocess/profile.json: no quality signals (the documents' signals column is gone?)")
cols, rows = 3, (len(signals) + 2) // 3
fig, axes = plt.subplots(rows, cols, figsize=(13, 2.8 * rows), squeeze=False)
for a, (name, sig) in zip(axes.flat, sorted(signals.items())):
    need(sig, ["documents", "notANumber", "bins"], f"signal {name}")
    b = pd.DataFrame([need(r, ["lo", "hi", "count"], f"a bin of {name}") for r in sig["bins"]],
                     columns=["lo", "hi", "count"])
    b.index = ["<0" if pd.isna(lo) else f"{lo:g}-{hi:g}" for lo, hi in zip(b["lo"], b["hi"])]
    b["count"].plot.bar(ax=a, rot=45)
    nan = f", {sig['notANumber']} NaN" if sig["notANumber"] else ""
    a.set_title(f"{name} ({sig['documents']} docs{nan})", fontsize=9)
for a in list(axes.flat)[len(signals):]:
    a.axis("off")
fig.suptitle("quality signals of the kept documents (bins: tenths of [0,1], powers of two above)")
plt.tight_layout()'''),
]

TRAINING = [
    new_markdown_cell("# Training report\nLoss curves, throughput, the share of each round spent averaging, and the "
                      "learning rate, from the run's `metrics.jsonl` and `summary.json`."),
    new_code_cell(SETUP),
    new_code_cell('''rows = [json.loads(l) for l in (DEMO / "run" / "metrics.jsonl").read_text().splitlines() if l.strip()]
if not rows:
    raise ValueError("run/metrics.jsonl is empty")
for r in rows:
    need(r, ["round", "step", "tokens_seen", "train_loss", "lr", "tokens_per_s", "compute_s", "averaging_s"],
         "a metrics.jsonl line")
m = pd.DataFrame(rows)
m["averaging_share"] = m["averaging_s"] / (m["compute_s"] + m["averaging_s"])
m.tail()'''),
    new_code_cell('''fig, ax = plt.subplots(2, 2, figsize=(11, 6))
m.plot(x="step", y="train_loss", ax=ax[0, 0], title="loss")
if "val_loss" in m:
    m.dropna(subset=["val_loss"]).plot(x="step", y="val_loss", ax=ax[0, 0], marker="o")
m.plot(x="round", y="tokens_per_s", ax=ax[0, 1], title="tokens/s", legend=False)
m.plot(x="round", y="averaging_share", ax=ax[1, 0], title="averaging share of a round", legend=False)
m.plot(x="step", y="lr", ax=ax[1, 1], title="learning rate", legend=False)
plt.tight_layout()'''),
    new_code_cell('''summary = need(json.loads((DEMO / "run" / "summary.json").read_text()),
               ["rounds", "paramsSha256"], "run/summary.json")
summary'''),
]

CHECKPOINT = [
    new_markdown_cell("# Checkpoint: samples and evaluation\nText sampled from the trained model "
                      "(`samples.txt`, written by `notebooks/run.sh` with `GptMain sample`) and its validation loss "
                      "over training (`metrics.jsonl`)."),
    new_code_cell(SETUP),
    new_code_cell('''samples = (DEMO / "samples.txt").read_text()
if not samples.strip():
    raise ValueError("samples.txt is empty: GptMain sample wrote nothing")
print(samples)'''),
    new_code_cell('''rows = [json.loads(l) for l in (DEMO / "run" / "metrics.jsonl").read_text().splitlines() if l.strip()]
val = pd.DataFrame([need(r, ["step", "val_loss"], "a metrics line with validation") for r in rows if "val_loss" in r])
if val.empty:
    raise ValueError("no validation loss in run/metrics.jsonl")
val["perplexity"] = val["val_loss"].map(lambda x: __import__("math").exp(x))
ax = val.plot(x="step", y="perplexity", marker="o", figsize=(7, 3), title="validation perplexity", legend=False)
plt.tight_layout()
val.tail(3)'''),
]

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for name, cells in [("corpus-report", CORPUS), ("training-report", TRAINING), ("checkpoint-report", CHECKPOINT)]:
        nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})
        nbformat.write(nb, f"{out}/{name}.ipynb")
