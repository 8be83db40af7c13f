"""Sessions: tests (default), lint, typecheck, docs, bench.

Every distribution is installed from its directory, as a user would install
it (no editable installs), so the tests see exactly what ships.
"""

from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
PLUGINS = sorted(
    str(p.relative_to(ROOT))
    for p in (ROOT / "plugins").iterdir()
    if (p / "pyproject.toml").exists()
)
DISTRIBUTIONS = ["./core", *PLUGINS]
TEST_DEPS = [
    "pytest>=8",
    "anyio>=4",
    "hatchling>=1.21",
    "google-auth>=2.20",
    # jobs: webhook signatures (ED25519) and the receivers of docs/jobs.md; google: the
    # tests sign a service-account token (RSA), which older google-auth does not pull in
    "cryptography>=42",
    "fastapi>=0.110",
    "hypothesis>=6",  # tests/adversarial: bounded, derandomized examples
]


def install_distributions(session: nox.Session) -> None:
    session.install("hatchling>=1.21")
    session.install("--no-build-isolation", "--force-reinstall", "--no-deps", *DISTRIBUTIONS)
    session.install(*DISTRIBUTIONS)  # dependencies of each distribution


@nox.session
def tests(session: nox.Session) -> None:
    """Run the whole test suite against the installed distributions."""
    session.install(*TEST_DEPS)
    install_distributions(session)
    session.run("pytest", *(session.posargs or ["tests"]), env={"TARASH_STRICT_PLUGINS": "1"})


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint and formatting."""
    session.install("ruff==0.17.6")  # pinned: new rules must not break CI unannounced
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Mypy, strict, on the core and on every plugin."""
    session.install(
        "mypy==2.4.1", "pydantic>=2.7", "httpx", "pluggy", "pytest>=8", "cryptography>=42"
    )
    install_distributions(session)
    session.run("mypy", "-p", "tarash.tarash_gateway")
    packages = [f"tarash_{Path(plugin).name.replace('-', '_')}" for plugin in PLUGINS]
    session.run("mypy", *(arg for package in packages for arg in ("-p", package)))


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site; warnings (broken links, missing pages) fail."""
    session.install("mkdocs>=1.5")
    install_distributions(session)
    # Model tables are generated from the plugins' capabilities: a stale one fails.
    session.run("python", "docs/gen_tables.py", "--check")
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site"))


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks (figures, not assertions): see benchmarks/README.md."""
    install_distributions(session)
    # The import-time comparison measures these too when they install.
    session.run(
        "python", "-m", "pip", "install", "-q", "litellm", "fal-client", success_codes=[0, 1]
    )
    session.run("python", "benchmarks/run.py", *session.posargs)
