"""Build hook only — pyproject.toml is the metadata. Ship policies/, templates/ and config.toml as package data.

The repository keeps one copy of each at its root (developers and the README use them there). A wheel
carries them under quorum/defaults/, where quorum.resources finds them when Quorum is installed; an
editable install reads the checkout instead. MANIFEST.in puts the root copies in the sdist, so a wheel
built from the sdist has them too.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("policies", "templates", "config.toml")


class BuildWithDefaults(build_py):
    """build_py, then copy the root's shipped files to <build>/quorum/defaults/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "quorum" / "defaults"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in SHIPPED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copyfile(source, target / name)


setup(cmdclass={"build_py": BuildWithDefaults})
