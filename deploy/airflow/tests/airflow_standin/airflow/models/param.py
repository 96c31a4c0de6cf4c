"""STAND-IN for airflow.models.param (tests only)."""


class Param:
    def __init__(self, default=None, **kwargs):
        self.value = default
        self.kwargs = kwargs
