"""STAND-IN for airflow.operators.python (tests only)."""
from airflow import BaseOperator


class ShortCircuitOperator(BaseOperator):
    pass
