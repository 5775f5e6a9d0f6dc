"""The deployment files hold together: Compose and Kubernetes manifests parse, every service's
command exists in the project (and its arguments parse), and the environment variables they use
are exactly the documented ones (infra/README.md's table)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
COMPOSE = yaml.safe_load((INFRA / "compose.yaml").read_text())
K8S = [
    doc
    for path in sorted((INFRA / "k8s").glob("*.yaml"))
    for doc in yaml.safe_load_all(path.read_text())
    if doc
]
DOCKERFILE = (INFRA / "images" / "Dockerfile").read_text()
INTERPOLATION = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}")


def documented_variables() -> set[str]:
    rows = re.findall(
        r"^\| `([A-Z_][A-Z0-9_]*)` \|", (INFRA / "README.md").read_text(), flags=re.MULTILINE
    )
    assert len(rows) == len(set(rows)), "a variable is documented twice"
    return set(rows)


def interpolate_defaults(text: str) -> str:
    return INTERPOLATION.sub(
        lambda m: m.group(0).split(":-", 1)[1][:-1] if ":-" in m.group(0) else "x", text
    )


def containers():
    for doc in K8S:
        spec = doc.get("spec", {})
        pod = spec.get("template", {}).get("spec", {})
        yield from ((doc["metadata"]["name"], c) for c in pod.get("containers", []))


def all_commands() -> list[tuple[str, list[str]]]:
    commands = [(f"compose {name}", [interpolate_defaults(str(a)) for a in svc["command"]])
                for name, svc in COMPOSE["services"].items() if isinstance(svc.get("command"), list)
                and svc["command"][0] == "python"]  # fmt: skip
    commands += [(f"k8s {name}", c["command"]) for name, c in containers()]
    commands += [
        (f"Dockerfile CMD {i}", json.loads(cmd))
        for i, cmd in enumerate(re.findall(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE))
    ]
    return commands


def test_compose_has_the_full_deployment():
    services = COMPOSE["services"]
    expected = {"postgres", "redis", "airflow-init", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor",
                "airflow-triggerer", "airflow-worker", "backend", "backend-migrate", "dashboards"}  # fmt: skip
    assert expected <= set(services)
    assert services["airflow-worker"]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert services["airflow-worker"]["environment"]["AIRFLOW__CELERY__BROKER_URL"].startswith(
        "redis://redis:"
    )
    assert "--workers" in services["backend"]["command"]
    for name in ("airflow-worker", "airflow-scheduler", "backend", "dashboards"):
        assert any(str(v).startswith("platform-data:/data") for v in services[name]["volumes"]), (
            name
        )
    assert "platform-data:/data:ro" in services["dashboards"]["volumes"]


def test_kubernetes_manifests_parse_and_reference_what_exists():
    kinds = {(d["kind"], d["metadata"]["name"]) for d in K8S if "metadata" in d}
    for name in ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                 "airflow-worker", "backend", "dashboards"):  # fmt: skip
        assert ("Deployment", name) in kinds
    assert ("PersistentVolumeClaim", "platform-data") in kinds and (
        "ConfigMap",
        "platform-config",
    ) in kinds
    kustomization = next(d for d in K8S if d.get("kind") == "Kustomization")
    for resource in kustomization["resources"]:
        assert (INFRA / "k8s" / resource).is_file(), resource
    for doc in K8S:
        for volume in doc.get("spec", {}).get("template", {}).get("spec", {}).get("volumes", []):
            if "persistentVolumeClaim" in volume:
                assert (
                    "PersistentVolumeClaim",
                    volume["persistentVolumeClaim"]["claimName"],
                ) in kinds
    images = {c["image"] for _, c in containers()}
    assert images == {"survivorship/airflow", "survivorship/backend", "survivorship/dashboards"}


def test_dockerfile_targets_and_copied_paths_exist():
    assert {"backend", "dashboards", "airflow"} <= set(
        re.findall(r"^FROM \S+ AS (\w+)$", DOCKERFILE, re.MULTILINE)
    )
    for sources in re.findall(r"^COPY (.+) \S+$", DOCKERFILE, re.MULTILINE):
        for source in sources.split():
            assert (REPO / source).exists(), source
    assert "uv sync --frozen" in DOCKERFILE


def test_every_command_exists_and_its_arguments_parse():
    airflow_commands = []
    for where, command in all_commands():
        assert command[:2] == ["python", "-m"], where
        module = command[2]
        assert find_spec(module) is not None, f"{where}: no module {module}"
        args = command[3:]
        if module == "airflow":
            airflow_commands.append(args)
        elif module == "app_backend":
            from app_backend.__main__ import build_parser

            build_parser().parse_args(args)
        elif module == "streamlit":
            assert args[0] == "run" and (REPO / args[1]).is_file(), where
        else:
            assert module.startswith(("infra.", "ingestion.")), where
    check = (
        "import json, sys\nfrom airflow.cli.cli_parser import get_parser\nbad = []\n"
        "for args in json.loads(sys.argv[1]):\n"
        "    try:\n        get_parser().parse_args(args)\n"
        "    except SystemExit:\n        bad.append(args)\nprint(json.dumps(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", check, json.dumps(airflow_commands)], capture_output=True,
                          text=True, check=False, cwd=REPO)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def used_variables() -> set[str]:
    names = set()

    def collect_env(environment):
        if isinstance(environment, dict):
            names.update(environment)
        elif isinstance(environment, list):
            names.update(
                e["name"] if isinstance(e, dict) else e.split("=", 1)[0] for e in environment
            )

    for svc in COMPOSE["services"].values():
        collect_env(svc.get("environment"))
    names.update(INTERPOLATION.findall((INFRA / "compose.yaml").read_text()))
    for doc in K8S:
        if doc.get("kind") == "ConfigMap":
            names.update(doc["data"])
    for _, container in containers():
        collect_env(container.get("env"))
    names.update(
        re.findall(r"--from-literal=([A-Z_][A-Z0-9_]*)=", (INFRA / "k8s" / "README.md").read_text())
    )
    image_env = " ".join(re.findall(r"^ENV (.+)$", DOCKERFILE, re.MULTILINE))
    names.update(re.findall(r"\b([A-Z][A-Z0-9_]+)=", image_env))
    # Variables of the image's own tooling, not the platform's configuration.
    return names - {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "UV_COMPILE_BYTECODE", "UV_LINK_MODE",
                    "UV_PROJECT_ENVIRONMENT", "PATH"}  # fmt: skip


def test_every_variable_the_deployment_uses_is_documented():
    undocumented = used_variables() - documented_variables()
    assert not undocumented, f"add to infra/README.md's table: {sorted(undocumented)}"


def project_text() -> str:
    """The code and configuration a deployed platform reads (not the tests)."""
    paths = [
        p
        for top in ("dags", "ingestion", "dashboards", "app_backend", "infra")
        for p in (REPO / top).rglob("*.py")
    ]
    paths += [
        *INFRA.rglob("*.yaml"),
        REPO / "Makefile",
        INFRA / "images" / "Dockerfile",
        REPO / "dbt_project" / "profiles.yml",
    ]
    return "\n".join(p.read_text(errors="replace") for p in paths if p.is_file())


def test_every_documented_variable_is_used_somewhere():
    text = project_text()
    unused = [v for v in sorted(documented_variables()) if not re.search(rf"\b{v}\b", text)]
    assert not unused, f"documented in infra/README.md but nothing reads them: {unused}"
