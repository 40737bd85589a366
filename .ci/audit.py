"""`make audit`: pip-audit over the pinned requirements.txt.

Known vulnerabilities in a pinned version fail (exit 1). Where the vulnerability service cannot be
reached (CI and the development machines reach only the package registry's downloads, not its
vulnerability data), this says so plainly and exits 0: nothing was audited, nothing is claimed.
pip-audit reads the pins as they are (--no-deps --disable-pip): requirements.txt pins every
package, dependencies included, so nothing is installed to resolve them.

Usage: python .ci/audit.py [requirements.txt] (AUDIT_SERVICE=pypi|osv, default pypi; PIP_AUDIT
names another pip-audit executable, as the tests do).
"""
from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - runs pip-audit, a fixed command without a shell
import sys
from pathlib import Path

UNREACHABLE_SIGNS = ("ConnectionError", "NameResolutionError", "Max retries exceeded",
                     "Failed to resolve", "Temporary failure in name resolution",
                     "Connection refused", "timed out", "ReadTimeout", "ProxyError", "SSLError")


def main() -> int:
    requirements = sys.argv[1] if len(sys.argv) > 1 else "requirements.txt"
    service = os.environ.get("AUDIT_SERVICE", "pypi")
    pip_audit = os.environ.get("PIP_AUDIT") or Path(sys.executable).with_name("pip-audit")
    command = [str(pip_audit), "--no-deps", "--disable-pip", "-r", requirements,
               "--vulnerability-service", service, "--format", "json", "--progress-spinner", "off",
               "--timeout", "20"]
    print(f"pip-audit ({service}) sobre {requirements} ...", flush=True)
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)  # nosec B603
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        if any(sign in done.stderr for sign in UNREACHABLE_SIGNS):
            print(f"AUDITORÍA NO HECHA: no se pudo contactar el servicio de vulnerabilidades "
                  f"'{service}' desde esta máquina (sin red hacia él). Ningún paquete fue auditado; "
                  f"corra `make audit` donde haya acceso.")
            return 0
        sys.stderr.write(done.stderr)
        print(f"pip-audit falló (código {done.returncode}) por otra causa; vea el error arriba.")
        return done.returncode or 2

    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            arreglo = ", ".join(vuln.get("fix_versions") or []) or "sin versión corregida"
            print(f"VULNERABLE {dependency['name']}=={dependency['version']}: {vuln['id']} "
                  f"(corregida en: {arreglo})")
    if vulnerable:
        print(f"{len(vulnerable)} paquete(s) con vulnerabilidades conocidas de {audited} auditados.")
        return 1
    if dependencies and audited == 0:
        print(f"AUDITORÍA NO HECHA: el servicio de vulnerabilidades '{service}' no respondió por "
              f"ninguno de los {len(dependencies)} paquetes (p. ej. \"{skipped[0]['skip_reason']}\"): "
              f"no se pudo contactar desde esta máquina. Corra `make audit` donde haya acceso.")
        return 0
    print(f"Sin vulnerabilidades conocidas en {audited} paquetes auditados"
          + (f"; {len(skipped)} no se pudieron auditar: "
             + ", ".join(d["name"] for d in skipped) if skipped else "") + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
