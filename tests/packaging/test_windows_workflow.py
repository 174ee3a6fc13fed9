"""The Windows CI workflow builds the bundle and installer the way the spec and the .iss expect."""

from __future__ import annotations

import bundle_layout as layout
import pytest
import yaml

from tests.packaging.iss_parser import parse_iss

WORKFLOW = layout.REPO / ".github" / "workflows" / "windows-installer.yml"


@pytest.fixture(scope="module")
def job():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    (only_job,) = workflow["jobs"].values()
    return only_job


def step_running(job, *needles: str) -> dict:
    matches = [step for step in job["steps"] if all(n in step.get("run", "") for n in needles)]
    assert len(matches) == 1, f"expected one step running {needles}, found {len(matches)}"
    return matches[0]


def test_runs_on_windows(job):
    assert job["runs-on"].startswith("windows")


def test_bundle_built_from_the_spec_into_dist(job):
    step = step_running(job, "PyInstaller", r"packaging\deescal.spec")
    assert "--distpath dist" in step["run"]
    assert step["env"]["DEESCAL_WORDNET_SOURCE"]


def test_bundle_layout_checked_then_selftest_offline(job):
    step_running(job, r"packaging\bundle_layout.py", rf"dist\{layout.APP_ID}")
    selftest = step_running(job, "selftest", "New-NetFirewallRule")
    assert rf"dist\{layout.APP_ID}\{layout.CLI_NAME}.exe" in selftest["run"]
    assert "-Direction Outbound -Action Block" in selftest["run"]


def test_installer_built_with_the_pyproject_version(job):
    step = step_running(job, "ISCC", r"packaging\deescal.iss")
    assert "/DAppVersion=$version" in step["run"]
    assert "['project']['version']" in step["run"]


def test_installed_app_is_where_the_iss_puts_it(job):
    script = parse_iss(layout.REPO / "packaging" / "deescal.iss", {"AppVersion": "1.0.0"})
    install_dir = script.setup["DefaultDirName"].replace("{localappdata}", "$env:LOCALAPPDATA")
    step = step_running(job, "/VERYSILENT", "unins000.exe")
    assert f'$app = "{install_dir}"' in step["run"]
    for exe in layout.executables("win32"):
        assert exe in step["run"]


def test_uploads_the_installer(job):
    upload = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact")]
    assert len(upload) == 1
    assert upload[0]["with"]["path"].endswith("-windows-x64-setup.exe")
    script = parse_iss(layout.REPO / "packaging" / "deescal.iss", {"AppVersion": "1.0.0"})
    assert script.setup["OutputBaseFilename"].endswith("-windows-x64-setup")
