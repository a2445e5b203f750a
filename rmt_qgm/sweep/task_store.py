"""The append-only sweep store.

Layout of ``DIR``::

    manifest.json            the config, its hash, the task list (written once, atomically)
    tasks/NAME.npz, .json    one finished task: numeric arrays, then metadata with their SHA-256
    failed/NAME-K.json       the K-th recorded failure of a task (error text, attempt, time)

Every file is written to a temporary name, fsynced and moved into place with ``os.replace``
(:mod:`rmt_qgm.store`); the NPZ goes first and the JSON that names its checksum last, so a task counts
as finished only when its JSON exists and the checksum matches. Temporary files left by a killed
process never match ``NAME.json`` and are ignored. Finished tasks are never rewritten.
"""
from __future__ import annotations

import json
import os
import time
import traceback

from .. import __version__
from ..errors import UserInputError
from ..store import atomic_write_json, read_result, write_result
from .config import SweepConfig
from .task import Task

MANIFEST = "manifest.json"


class TaskStore:
    """A sweep directory (module docstring)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.tasks_dir = os.path.join(root, "tasks")
        self.failed_dir = os.path.join(root, "failed")

    # -- manifest -------------------------------------------------------------------------------
    def manifest_path(self) -> str:
        return os.path.join(self.root, MANIFEST)

    def read_manifest(self) -> dict:
        path = self.manifest_path()
        if not os.path.isfile(path):
            raise UserInputError(f"DIR: {self.root!r} holds no sweep (no {MANIFEST})")
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)

    def open(self, config: SweepConfig, resume: bool) -> None:
        """Create the store, or check on --resume that it belongs to the same config."""
        exists = os.path.isfile(self.manifest_path())
        if exists and not resume:
            raise UserInputError(f"--out: {self.root!r} already holds a sweep; pass --resume to continue "
                                 "it or choose a new directory")
        if exists:
            old = self.read_manifest()
            if old.get("config_hash") != config.config_hash:
                raise UserInputError(f"--resume: {self.root!r} holds a sweep of a different config "
                                     "(seed or axes differ); use a new --out directory")
        os.makedirs(self.tasks_dir, exist_ok=True)
        os.makedirs(self.failed_dir, exist_ok=True)
        if not exists:
            atomic_write_json(self.manifest_path(), {
                "kind": "sweep-manifest", "package": "rmt_qgm", "version": __version__,
                "config_hash": config.config_hash, "seed": config.seed, "retries": config.retries,
                "axes": config.axes, "n_tasks": len(config.tasks),
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "tasks": [{"name": t.name, "identity": t.identity, "params": t.as_dict()}
                          for t in config.tasks]})

    # -- finished tasks -------------------------------------------------------------------------
    def result_path(self, task_name: str) -> str:
        return os.path.join(self.tasks_dir, task_name + ".json")

    def is_finished(self, task: Task) -> bool:
        """True if the task's JSON exists and its NPZ checksum verifies."""
        path = self.result_path(task.name)
        if not os.path.isfile(path):
            return False
        try:
            meta, _ = read_result(path)
        except (OSError, ValueError):
            return False
        return meta.get("identity") == task.identity

    def write(self, task: Task, meta: dict, arrays: dict, attempt: int) -> str:
        if os.path.isfile(self.result_path(task.name)) and self.is_finished(task):
            return self.result_path(task.name)               # append-only: never rewrite
        meta = {"kind": "sweep-task", "package": "rmt_qgm", "version": __version__,
                "seed": str(task.seed), "attempt": attempt,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **meta}
        return write_result(self.tasks_dir, task.name, meta, arrays)

    def finished_names(self) -> set[str]:
        if not os.path.isdir(self.tasks_dir):
            return set()
        return {f[:-5] for f in os.listdir(self.tasks_dir) if f.endswith(".json") and not f.startswith(".")}

    # -- failures -------------------------------------------------------------------------------
    def record_failure(self, task: Task, error: BaseException | str, attempt: int) -> str:
        text = error if isinstance(error, str) else "".join(
            traceback.format_exception_only(type(error), error)).strip()
        k = 1 + sum(1 for f in os.listdir(self.failed_dir) if f.startswith(task.name + "-"))
        path = os.path.join(self.failed_dir, f"{task.name}-{k}.json")
        atomic_write_json(path, {"kind": "sweep-failure", "identity": task.identity, "task": task.as_dict(),
                                 "attempt": attempt, "error": text, "version": __version__,
                                 "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        return path

    def failures(self) -> list[dict]:
        out = []
        if os.path.isdir(self.failed_dir):
            for f in sorted(os.listdir(self.failed_dir)):
                if f.endswith(".json") and not f.startswith("."):
                    with open(os.path.join(self.failed_dir, f), encoding="utf-8") as fh:
                        out.append(json.load(fh))
        return out
