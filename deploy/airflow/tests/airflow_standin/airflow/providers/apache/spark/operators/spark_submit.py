"""STAND-IN for airflow.providers.apache.spark.operators.spark_submit (tests only)."""
from airflow import BaseOperator


class SparkSubmitOperator(BaseOperator):
    pass
