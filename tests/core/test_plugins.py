"""Plugin discovery: real entry points, broken plugins isolated, contract violations reported."""

from __future__ import annotations

import json
import os
import site
import subprocess
import textwrap
import venv
from pathlib import Path

import pytest

from tarash.tarash_gateway import _plugins, generate_video, hookimpl
from tarash.tarash_gateway.exceptions import TarashPluginWarning
from tarash.tarash_gateway.models import VideoGenerationConfig, VideoGenerationRequest
from tarash.tarash_gateway.plugin import ProviderInfo


class NoSubmit:
    @hookimpl
    def tarash_providers(self):
        return [ProviderInfo(name="half", modalities=["video"])]

    @hookimpl
    def tarash_supports_modality(self, provider, model, modality):
        return True


class WrongSignature:
    @hookimpl
    def tarash_providers(self, unexpected_argument):
        return []


class UnknownHook:
    @hookimpl
    def tarash_providers(self):
        return []

    @hookimpl
    def tarash_generate_everything(self):
        return None


@pytest.mark.parametrize(
    ("plugin", "reason"),
    [
        (NoSubmit(), "does not implement tarash_map_fields, tarash_submit, tarash_poll"),
        (WrongSignature(), "unexpected_argument"),
        (UnknownHook(), "tarash_generate_everything"),
    ],
)
def test_contract_violation_is_one_warning_naming_the_distribution(plugin, reason, monkeypatch):
    monkeypatch.delenv("TARASH_STRICT_PLUGINS", raising=False)
    registry = _plugins.PluginRegistry()
    with pytest.warns(TarashPluginWarning) as record:
        added = registry.register(plugin, "bad", distribution="tarash-bad", version="1.2.3")
    assert added == [] and len(record) == 1
    message = str(record[0].message)
    assert "tarash-bad 1.2.3" in message and reason in message
    assert "TARASH_DISABLE_PLUGINS=bad" in message
    assert registry.broken[0].distribution == "tarash-bad"
    assert registry.pm.get_plugin("bad") is None


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("TARASH_STRICT_PLUGINS", "1")
    with pytest.raises(TypeError, match="does not implement"):
        _plugins.PluginRegistry().register(NoSubmit(), "bad")


def test_duplicate_provider_id_keeps_the_first(echo_server, monkeypatch):
    from tests.support.echo_provider import EchoPlugin

    monkeypatch.delenv("TARASH_STRICT_PLUGINS", raising=False)
    with pytest.warns(
        TarashPluginWarning, match="plugin 'second' from tarash-echo2.*claimed by both"
    ):
        assert _plugins.registry.register(EchoPlugin(), "second", distribution="tarash-echo2") == []
    _plugins.registry.unregister("second")
    config = VideoGenerationConfig(
        provider="echo", api_key="k", base_url=echo_server.url, poll_interval=0.01
    )
    assert generate_video(config, VideoGenerationRequest(prompt="p")).status == "completed"


def test_mock_is_discovered_through_its_entry_point():
    info = _plugins.registry.providers["mock"].info
    assert info.distribution == "tarash-core"


# ---------------------------------------------------------------- real distributions
GOOD_PLUGIN = """
import base64
from tarash.tarash_gateway import hookimpl
from tarash.tarash_gateway.plugin import Job, JobStatus, ProviderInfo

@hookimpl
def tarash_providers():
    return [ProviderInfo(name="thirdparty", modalities=["image"], requires_api_key=False,
                         default_base_url="http://unused.invalid", default_models={"image": "tp-1"})]

@hookimpl
def tarash_supports_modality(provider, model, modality):
    return modality == "image" if provider == "thirdparty" else None

@hookimpl
def tarash_map_fields(provider, model, modality, request):
    return {"prompt": request.prompt} if provider == "thirdparty" else None

def _submit(ctx):
    output = {"images": [base64.b64encode(b"tp").decode()]}
    return Job(provider=ctx.provider, model=ctx.model, modality=ctx.modality, id="tp-job",
               status=JobStatus(state="completed", output=output))
    yield

@hookimpl
def tarash_submit(provider, payload, ctx):
    return _submit(ctx) if provider == "thirdparty" else None

@hookimpl
def tarash_poll(provider, job, ctx):
    return None
"""

PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[project]
name = "{dist}"
version = "0.0.1"
dependencies = ["tarash-core"]
[project.entry-points."tarash.providers"]
{entry} = "{module}"
[tool.hatch.build.targets.wheel]
packages = ["src/{module}"]
"""

PROBE = """
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import tarash.tarash_gateway as t
    imported_at_import = sorted(m for m in sys.modules if m.startswith("tarash_"))
    t.load_plugins()
from tarash.tarash_gateway.models import ImageGenerationConfig, ImageGenerationRequest
out = {"warnings": [str(w.message) for w in caught], "providers": sorted(t.installed_providers()),
       "imported_at_import": imported_at_import}
if "thirdparty" in out["providers"]:
    r = t.generate_image(ImageGenerationConfig(provider="thirdparty"), ImageGenerationRequest(prompt="x"))
    out["images"] = r.images
print(json.dumps(out))
"""


def _write_dist(root: Path, dist: str, entry: str, module: str, code: str) -> Path:
    path = root / dist
    (path / "src" / module).mkdir(parents=True)
    (path / "pyproject.toml").write_text(PYPROJECT.format(dist=dist, entry=entry, module=module))
    (path / "src" / module / "__init__.py").write_text(textwrap.dedent(code))
    return path


@pytest.fixture(scope="module")
def plugin_venv(tmp_path_factory) -> Path:
    """A fresh venv (seeing this environment's packages) with a good and a broken plugin installed."""
    root = tmp_path_factory.mktemp("plugins")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip()
    parents = [p for p in site.getsitepackages() if os.path.isdir(p)]
    # addsitedir (not a bare path) so the parent's own .pth files, editable installs included, apply
    lines = [f"import site; site.addsitedir({p!r})" for p in parents]
    Path(purelib, "parent-env.pth").write_text("\n".join(lines) + "\n")
    good = _write_dist(root, "tarash-thirdparty", "thirdparty", "tarash_thirdparty", GOOD_PLUGIN)
    broken = _write_dist(
        root, "tarash-broken", "broken", "tarash_broken", "raise RuntimeError('boom at import')\n"
    )
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            str(good),
            str(broken),
        ],
        check=True,
        capture_output=True,
    )
    return python


def _probe(python: Path, **env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TARASH_")}
    result = subprocess.run(
        [python, "-c", PROBE],
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 or env, result.stderr
    return json.loads(result.stdout) if result.returncode == 0 else {"stderr": result.stderr}


@pytest.mark.slow
def test_installed_third_party_plugin_is_discovered_and_broken_one_is_isolated(plugin_venv):
    out = _probe(plugin_venv)
    assert out["imported_at_import"] == []  # discovery imports no plugin module
    assert "thirdparty" in out["providers"] and "mock" in out["providers"]
    assert out["images"] == ["dHA="]
    (warning,) = [w for w in out["warnings"] if "broken" in w]
    assert "tarash-broken 0.0.1" in warning and "boom at import" in warning
    assert "TARASH_DISABLE_PLUGINS=broken" in warning


@pytest.mark.slow
def test_environment_filters_and_strict_mode(plugin_venv):
    assert _probe(plugin_venv, TARASH_DISABLE_PLUGINS="broken")["warnings"] == []
    only = _probe(plugin_venv, TARASH_PLUGINS="mock")
    assert only["providers"] == ["mock"] and only["warnings"] == []
    assert _probe(plugin_venv, TARASH_DISABLE_PLUGINS="*")["providers"] == []
    strict = _probe(plugin_venv, TARASH_STRICT_PLUGINS="1")
    assert "boom at import" in strict["stderr"]


@pytest.mark.slow
def test_import_loads_no_provider_sdk_or_heavy_module(plugin_venv):
    code = (
        "import sys, tarash.tarash_gateway as t; t.load_plugins(); print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'fal_client','openai','elevenlabs','litellm','numpy','requests'}))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TARASH_")}
    out = subprocess.run(
        [plugin_venv, "-c", code], capture_output=True, text=True, check=True, env=environment
    )
    assert out.stdout.strip() == "[]"
