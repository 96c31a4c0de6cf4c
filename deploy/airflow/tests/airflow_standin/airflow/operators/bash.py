"""STAND-IN for airflow.operators.bash (tests only)."""
from airflow import BaseOperator


class BashOperator(BaseOperator):
    pass
