"""sparkgpt retraining cycle as an Airflow DAG: one task per step of deploy/retrain/retrain.sh.

plan -> preprocess -> dedup -> new_documents? -> tokenize -> pretrain -> evaluate -> gate? -> promote

The Spark steps are SparkSubmitOperator tasks built from deploy/retrain/steps.conf, the file retrain.sh runs
(one definition, not two copies): same main classes, same arguments, same --conf. plan, the two short-circuits and
promote call retrain.sh --step, so the bookkeeping (generation, crawl.paths, outcome.json, the models/current
pointer, lineage) is retrain.sh's own. Paths and the crawl are DAG params; the schedule is monthly.

Install (README.md, "Retraining"): apache-airflow-providers-apache-spark, a `spark_default` connection to the
cluster's master, and the Airflow Variables or environment SPARKGPT_HOME (this repository on the workers) and
SPARKGPT_JARS (the folder of the *-job.jar files).
"""
import glob
import json
import os
import subprocess
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.param import Param
from airflow.operators.bash import BashOperator
from airflow.operators.python import ShortCircuitOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

HOME = os.environ.get("SPARKGPT_HOME",
                      os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
JARS = os.environ.get("SPARKGPT_JARS", HOME)
STEPS_FILE = os.path.join(HOME, "deploy", "retrain", "steps.conf")
RETRAIN = os.path.join(HOME, "deploy", "retrain", "retrain.sh")
LIB = os.path.join(HOME, "deploy", "spark-submit", "_lib.sh")

# Jinja expressions for retrain.sh's placeholders (the DAG's test substitutes them back)
STATE = "{{ params.state }}"
GENERATION = "{{ ti.xcom_pull(task_ids='plan') | int }}"
CYCLE = STATE + "/cycles/gen-{{ '%06d' % (ti.xcom_pull(task_ids='plan') | int) }}"
PRETRAIN_ARGS = os.environ.get(
    "SPARKGPT_RETRAIN_PRETRAIN_ARGS",
    "--workers 2 --max-rounds 10 --local-steps 10 --batch-size 8 --warmup 10 --lr 1e-3").split()

TOKENIZE_ARGS = os.environ.get("SPARKGPT_RETRAIN_TOKENIZE_ARGS", "--val-fraction 0.05").split()

# per-step limits: a stuck step fails (and is retried) instead of holding the cycle
TIMEOUTS = {"plan": 10, "preprocess": 240, "dedup": 120, "new_documents": 10, "tokenize": 60, "pretrain": 720,
            "evaluate": 60, "gate": 10, "promote": 10}


def job_jar(module):
    """<module>-<version>-job.jar in SPARKGPT_JARS (or the build's <module>/target), as deploy/spark-submit finds it."""
    found = sorted(glob.glob(os.path.join(JARS, module + "-*-job.jar"))
                   + glob.glob(os.path.join(HOME, module, "target", module + "-*-job.jar")))
    return found[0] if found else os.path.join(JARS, module + "-job.jar")


def read_steps(path=STEPS_FILE):
    """[(name, module, main class, [args])] and {name: [conf K=V]} from steps.conf, in file order."""
    steps, confs = [], {}
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("conf "):
                _, name, kv = line.split(" ", 2)
                confs.setdefault(name, []).append(kv)
                continue
            name, module, cls, *args = line.split()
            steps.append((name, module, cls, args))
    return steps, confs


def java17_flags(path=LIB):
    """The module flags submit.sh gives every Spark JVM on Java 17 (from _lib.sh, not copied here)."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("SPARK_JAVA17_FLAGS="):
                return line.split("=", 1)[1].strip().strip('"')
    raise ValueError("no SPARK_JAVA17_FLAGS in " + path)


def expand(args, gate_args):
    out = []
    for a in args:
        if a == "{tokenize_args}":
            out.extend(TOKENIZE_ARGS)
        elif a == "{pretrain_args}":
            out.extend(PRETRAIN_ARGS)
        elif a == "{gate_args}":
            out.extend(gate_args)
        else:
            out.append(a.replace("{mix_earlier}", "{{ params.mix_earlier }}").replace("{state}", STATE).replace("{cycle}", CYCLE).replace("{generation}", GENERATION))
    return out


def spark_conf(step, confs, flags):
    conf = {}
    for kv in confs.get(step, []):
        k, v = kv.split("=", 1)
        conf[k] = v
    for k in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
        conf[k] = (flags + " " + conf.get(k, "")).strip()
    return conf


def retrain_cmd(step):
    gen = "" if step == "plan" else " --generation " + GENERATION
    return (f"{RETRAIN} --state {STATE} --crawl {{{{ params.crawl }}}} --step {step}{gen}"
            " --max-old-regression {{ params.max_old_regression }} --min-new-gain {{ params.min_new_gain }}")


def _cycle_dir(params, ti):
    return os.path.join(params["state"], "cycles", "gen-%06d" % int(ti.xcom_pull(task_ids="plan")))


def _run_step(step, params, ti):
    cmd = (retrain_cmd(step).replace(GENERATION, str(int(ti.xcom_pull(task_ids="plan"))))
           .replace(STATE, params["state"]).replace("{{ params.crawl }}", params["crawl"])
           .replace("{{ params.max_old_regression }}", str(params["max_old_regression"]))
           .replace("{{ params.min_new_gain }}", str(params["min_new_gain"])))
    subprocess.run(["bash", "-c", cmd], check=True)


def has_new_documents(params, ti, **_):
    # retrain.sh records the cycle's end (no_new_documents) when dedup kept nothing; the DAG stops there too
    _run_step("dedup", params, ti)
    return not os.path.exists(os.path.join(_cycle_dir(params, ti), "outcome.json"))


def gate_holds(params, ti, **_):
    with open(os.path.join(_cycle_dir(params, ti), "eval.json"), encoding="utf-8") as f:
        decision = json.load(f)
    if not decision["promote"]:
        # the promote step records the refusal (outcome.json, cycles.jsonl) and leaves models/current alone
        _run_step("promote", params, ti)
    return bool(decision["promote"])


def build_dag():
    steps, confs = read_steps()
    flags = java17_flags()
    gate_args = ["--max-old-regression", "{{ params.max_old_regression }}",
                 "--min-new-gain", "{{ params.min_new_gain }}"]
    default_args = {"owner": "sparkgpt", "retries": 2, "retry_delay": timedelta(minutes=5),
                    "depends_on_past": True}
    with DAG(dag_id="sparkgpt_retrain", description="monthly continued pretraining on a new Common Crawl dump",
             schedule="@monthly", start_date=datetime(2026, 1, 1), catchup=False, max_active_runs=1,
             default_args=default_args,
             params={"state": Param("/data/sparkgpt/state", type="string", description="retrain.sh --state"),
                     "crawl": Param("/data/crawl/latest", type="string",
                                    description="the new crawl files or folders, space-separated"),
                     "max_old_regression": Param(0.05, type="number"),
                     "min_new_gain": Param(0.0, type="number"),
                     "mix_earlier": Param(0.0, type="number", minimum=0, exclusiveMaximum=1,
                                          description="share of earlier tokens replayed in pretraining")}) as dag:
        tasks = {"plan": BashOperator(task_id="plan", bash_command=retrain_cmd("plan"), do_xcom_push=True,
                                      execution_timeout=timedelta(minutes=TIMEOUTS["plan"]),
                                      sla=timedelta(minutes=TIMEOUTS["plan"]))}
        for name, module, cls, args in steps:
            jar = job_jar(module)
            tasks[name] = SparkSubmitOperator(
                task_id=name, conn_id="spark_default", application=jar, java_class=cls,
                application_args=expand(args, gate_args), conf=spark_conf(name, confs, flags),
                name="sparkgpt-retrain-" + name,
                execution_timeout=timedelta(minutes=TIMEOUTS[name]), sla=timedelta(minutes=TIMEOUTS[name]))
        tasks["new_documents"] = ShortCircuitOperator(
            task_id="new_documents", python_callable=has_new_documents,
            execution_timeout=timedelta(minutes=TIMEOUTS["new_documents"]))
        tasks["gate"] = ShortCircuitOperator(
            task_id="gate", python_callable=gate_holds, execution_timeout=timedelta(minutes=TIMEOUTS["gate"]))
        tasks["promote"] = BashOperator(task_id="promote", bash_command=retrain_cmd("promote"),
                                        execution_timeout=timedelta(minutes=TIMEOUTS["promote"]),
                                        sla=timedelta(minutes=TIMEOUTS["promote"]))
        order = ["plan"]
        for name, *_ in steps:
            order.append(name)
            if name == "dedup":
                order.append("new_documents")
        order += ["gate", "promote"]
        for a, b in zip(order, order[1:]):
            tasks[a] >> tasks[b]
    return dag


dag = build_dag()
