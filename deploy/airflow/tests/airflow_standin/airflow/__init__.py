"""STAND-IN for Apache Airflow, for the DAG's test only (see ../README.md): records, runs nothing."""

_current = []


class DAG:
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = []

    def __enter__(self):
        _current.append(self)
        return self

    def __exit__(self, *exc):
        _current.pop()
        return False

    @property
    def task_dict(self):
        return {t.task_id: t for t in self.tasks}


class BaseOperator:
    def __init__(self, task_id, **kwargs):
        self.task_id = task_id
        self.kwargs = kwargs
        self.upstream = []
        self.downstream = []
        if not _current:
            raise RuntimeError("stand-in: operator " + task_id + " created outside a DAG")
        _current[-1].tasks.append(self)

    def __rshift__(self, other):
        self.downstream.append(other)
        other.upstream.append(self)
        return other
