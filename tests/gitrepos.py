"""Real git repositories in tmp folders, for the tests of the contribution workflow.

:class:`GitRepo` makes commits, branches and merges with given authors and dates, the way
pull requests reach main on GitHub and Gitea. Its records come from the sample records
(``records/``), whose planted states are listed in ``records/README.md``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "records"
SCHOOL = ("学校安全员", "school@example.org")
REVIEWER = ("cg-xiaoanban-wang", "12345+cg-xiaoanban-wang@users.noreply.github.com")


class GitRepo:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "core.autocrlf", "false")

    def git(
        self, *args: str, who: tuple[str, str] = SCHOOL, when: str = "2026-11-02T09:00:00+08:00"
    ) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": who[0], "GIT_AUTHOR_EMAIL": who[1], "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": who[0], "GIT_COMMITTER_EMAIL": who[1], "GIT_COMMITTER_DATE": when,
            "GIT_CONFIG_NOSYSTEM": "1",
        }  # fmt: skip
        done = subprocess.run(
            ["git", "-C", str(self.root), *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return done.stdout.strip()

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        self.path(rel).parent.mkdir(parents=True, exist_ok=True)
        self.path(rel).write_text(text, encoding="utf-8")

    def replace(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def commit(self, message: str, **kw) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, **kw)
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name)

    def switch(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(self, branch: str, message: str, **kw) -> str:
        """A merge commit on the current branch, as a platform's "merge" button makes."""
        self.git("merge", "-q", "--no-ff", "-m", message, branch, **kw)
        return self.git("rev-parse", "HEAD")

    def sample(self, *schools: str) -> None:
        """Every district file of the sample records, and the named schools' dossiers."""
        for district in sorted(SAMPLE.glob("*/_district.yaml")):
            self.write(
                f"records/{district.parent.name}/_district.yaml",
                district.read_text(encoding="utf-8"),
            )
        for school in schools:
            (source,) = SAMPLE.glob(f"*/{school}.yaml")
            self.write(
                f"records/{source.parent.name}/{source.name}", source.read_text(encoding="utf-8")
            )

    def copy_from(self, folder: Path, rel: str = "records") -> None:
        shutil.copytree(folder, self.path(rel), dirs_exist_ok=True)


def line_of(text: str, needle: str) -> int:
    """The 1-based line on which ``needle`` first occurs."""
    return text[: text.index(needle)].count("\n") + 1
