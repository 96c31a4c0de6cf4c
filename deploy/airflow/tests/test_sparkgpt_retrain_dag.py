"""The retraining DAG, loaded beside the Airflow STAND-IN (tests/airflow_standin: not Airflow, see its README):
it compiles, its tasks run in the cycle's order, and every Spark task submits exactly what retrain.sh runs
(`retrain.sh --print-steps`: same class, arguments and --conf). Run: python3 -m unittest discover deploy/airflow/tests
"""
import importlib.util
import json
import os
import py_compile
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DAG_FILE = os.path.join(ROOT, "deploy", "airflow", "dags", "sparkgpt_retrain.py")
RETRAIN = os.path.join(ROOT, "deploy", "retrain", "retrain.sh")
sys.path.insert(0, os.path.join(HERE, "airflow_standin"))


def load_dag():
    spec = importlib.util.spec_from_file_location("sparkgpt_retrain", DAG_FILE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def render(value, state, gen):
    """What Airflow's Jinja makes of the DAG's expressions for a run with these params and plan's XCom."""
    return (value.replace("{{ '%06d' % (ti.xcom_pull(task_ids='plan') | int) }}", "%06d" % gen)
            .replace("{{ ti.xcom_pull(task_ids='plan') | int }}", str(gen))
            .replace("{{ params.state }}", state)
            .replace("{{ params.max_old_regression }}", "0.05")
            .replace("{{ params.min_new_gain }}", "0.0")
            .replace("{{ params.mix_earlier }}", "0.0"))


class RetrainDagTest(unittest.TestCase):
    def test_compiles(self):
        py_compile.compile(DAG_FILE, doraise=True)

    def test_task_graph_and_order(self):
        dag = load_dag().dag
        self.assertEqual("sparkgpt_retrain", dag.dag_id)
        self.assertEqual("@monthly", dag.kwargs["schedule"])
        self.assertEqual({"state", "crawl", "max_old_regression", "min_new_gain", "mix_earlier"}, set(dag.kwargs["params"]))
        order = ["plan", "preprocess", "dedup", "new_documents", "tokenize", "pretrain", "evaluate", "gate",
                 "promote"]
        tasks = dag.task_dict
        self.assertEqual(set(order), set(tasks))
        # a chain: each task's only downstream is the next one
        for a, b in zip(order, order[1:]):
            self.assertEqual([b], [t.task_id for t in tasks[a].downstream], a)
        self.assertEqual([], tasks["promote"].downstream)
        kinds = {t.task_id: type(t).__name__ for t in dag.tasks}
        for s in ("preprocess", "dedup", "tokenize", "pretrain", "evaluate"):
            self.assertEqual("SparkSubmitOperator", kinds[s], s)
            self.assertEqual("spark_default", tasks[s].kwargs["conn_id"])
        self.assertEqual("ShortCircuitOperator", kinds["gate"])
        self.assertEqual("ShortCircuitOperator", kinds["new_documents"])
        self.assertEqual(2, dag.kwargs["default_args"]["retries"])
        for t in dag.tasks:
            self.assertIn("execution_timeout", t.kwargs, t.task_id)

    def test_submits_what_retrain_sh_runs(self):
        dag = load_dag().dag
        with tempfile.TemporaryDirectory() as state:
            out = subprocess.run(["bash", RETRAIN, "--state", state, "--print-steps", "--generation", "7"],
                                 check=True, capture_output=True, text=True).stdout
            state = os.path.realpath(state)
        steps = [json.loads(line) for line in out.splitlines() if line.strip()]
        self.assertEqual(["preprocess", "dedup", "tokenize", "pretrain", "evaluate"], [s["step"] for s in steps])
        tasks = dag.task_dict
        for s in steps:
            op = tasks[s["step"]].kwargs
            self.assertEqual(s["class"], op["java_class"], s["step"])
            self.assertEqual(s["args"], [render(a, state, 7) for a in op["application_args"]], s["step"])
            self.assertTrue(os.path.basename(op["application"]).startswith(s["module"]), op["application"])
            for kv in s["conf"]:
                k, v = kv.split("=", 1)
                self.assertIn(v, op["conf"][k], s["step"])
            self.assertIn("--add-opens=java.base/java.lang=ALL-UNNAMED", op["conf"]["spark.driver.extraJavaOptions"])
        # the bookkeeping tasks call retrain.sh itself
        self.assertIn("retrain.sh --state {{ params.state }} --crawl {{ params.crawl }} --step plan",
                      tasks["plan"].kwargs["bash_command"])
        self.assertIn("--step promote --generation {{ ti.xcom_pull(task_ids='plan') | int }}",
                      tasks["promote"].kwargs["bash_command"])


if __name__ == "__main__":
    unittest.main()
