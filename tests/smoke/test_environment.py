"""The locked environment has the stack the platform is built on, at the versions it was built for."""

from importlib.metadata import version


def test_stack_versions():
    assert version("apache-airflow").startswith("3.3.")
    assert version("dbt-core").startswith("1.11.")
    assert version("great-expectations").startswith("1.")
    assert version("sqlalchemy").startswith("2.")


def test_tests_never_point_at_the_developers_data(repo_root):
    import os

    for var in ("WAREHOUSE_PATH", "SNAPSHOT_DIR", "LANDING_DIR"):
        assert not os.environ[var].startswith(str(repo_root)), var
