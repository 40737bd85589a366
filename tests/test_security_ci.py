"""`make audit` (.ci/audit.py): what it answers, with a stand-in pip-audit for each case (a
vulnerable pin, a service that answers for nothing, no network, another failure, a clean run).
`make security` (bandit) runs in .ci/run itself."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fake_pip_audit(folder: Path, stdout: str, stderr: str = "", code: int = 0) -> Path:
    script = folder / "pip-audit"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({stdout!r})\n"
                      f"sys.stderr.write({stderr!r})\nsys.exit({code})\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def _audit(tmp_path, **fake):
    env = {**os.environ, "PIP_AUDIT": str(_fake_pip_audit(tmp_path, **fake))}
    return subprocess.run([sys.executable, str(ROOT / ".ci" / "audit.py"),
                           str(ROOT / "requirements.txt")], capture_output=True, text=True,
                          env=env, timeout=60)


def test_a_vulnerable_pin_fails_and_names_the_fix(tmp_path):
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "werkzeug", "version": "3.1.9",
         "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["3.1.10"], "aliases": []}]}]}
    done = _audit(tmp_path, stdout=json.dumps(report), code=1)
    assert done.returncode == 1
    assert "VULNERABLE werkzeug==3.1.9: GHSA-xxxx (corregida en: 3.1.10)" in done.stdout


def test_a_service_that_answers_for_no_package_is_said_plainly_and_passes(tmp_path):
    report = {"dependencies": [{"name": "flask", "skip_reason": "Dependency not found on PyPI"},
                               {"name": "werkzeug", "skip_reason": "Dependency not found on PyPI"}]}
    done = _audit(tmp_path, stdout=json.dumps(report))
    assert done.returncode == 0
    assert "AUDITORÍA NO HECHA" in done.stdout and "ninguno de los 2 paquetes" in done.stdout


def test_no_network_is_said_plainly_and_passes(tmp_path):
    done = _audit(tmp_path, stdout="", code=1, stderr=(
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): "
        "Max retries exceeded (Caused by NameResolutionError(...))"))
    assert done.returncode == 0
    assert "AUDITORÍA NO HECHA" in done.stdout and "no se pudo contactar" in done.stdout


def test_any_other_pip_audit_failure_fails(tmp_path):
    done = _audit(tmp_path, stdout="", code=2, stderr="error: invalid requirement 'x=='")
    assert done.returncode == 2
    assert "AUDITORÍA NO HECHA" not in done.stdout


def test_a_clean_audit_passes_and_counts(tmp_path):
    report = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]}
    done = _audit(tmp_path, stdout=json.dumps(report))
    assert done.returncode == 0 and "Sin vulnerabilidades conocidas en 1 paquetes" in done.stdout

