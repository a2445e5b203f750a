"""Atomic result files: JSON metadata beside NPZ arrays.

Every write goes to a temporary file in the target directory, is flushed and fsynced, then moved into
place with ``os.replace``, so a crash, Ctrl-C or SIGKILL leaves either the old file or the new one,
never a partial one. A result is the pair ``NAME.npz`` + ``NAME.json``; the JSON is written last and
records the SHA-256 of the NPZ, so a reader only trusts an NPZ that a finished JSON vouches for.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import socket
import tempfile
import time
from typing import Any, Mapping

import numpy as np

from . import __version__


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same directory + os.replace)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)        # mkstemp creates 0600; results are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays (recursively) to plain JSON types."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None if np.isnan(obj) else ("inf" if obj > 0 else "-inf")
    return obj


def atomic_write_json(path: str, obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    atomic_write_bytes(path, (json.dumps(to_jsonable(obj), indent=2, sort_keys=False) + "\n").encode())


def npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    return buf.getvalue()


def run_metadata(params: Mapping[str, Any], seed: Any, seconds: float, kind: str) -> dict:
    """The metadata every result file records: version, parameters, seed, time taken, host."""
    return {
        "kind": kind,
        "package": "rmt_qgm",
        "version": __version__,
        "params": dict(params),
        "seed": seed,
        "seconds": float(seconds),
        "host": socket.gethostname(),
        "python": platform.python_version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_result(directory: str, name: str, meta: Mapping[str, Any],
                 arrays: Mapping[str, np.ndarray] | None = None) -> str:
    """Write ``NAME.npz`` (if arrays) then ``NAME.json`` atomically; return the JSON path."""
    meta = dict(meta)
    if arrays:
        data = npz_bytes(arrays)
        atomic_write_bytes(os.path.join(directory, name + ".npz"), data)
        meta["arrays"] = {"file": name + ".npz", "sha256": hashlib.sha256(data).hexdigest(),
                          "names": sorted(arrays)}
    path = os.path.join(directory, name + ".json")
    atomic_write_json(path, meta)
    return path


def read_result(json_path: str) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a result written by :func:`write_result`, checking the NPZ checksum."""
    with open(json_path, encoding="utf-8") as fh:
        meta = json.load(fh)
    arrays: dict[str, np.ndarray] = {}
    info = meta.get("arrays")
    if info:
        npz_path = os.path.join(os.path.dirname(json_path), info["file"])
        with open(npz_path, "rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != info["sha256"]:
            raise OSError(f"checksum mismatch for {npz_path}")
        with np.load(io.BytesIO(data)) as z:
            arrays = {k: z[k] for k in z.files}
    return meta, arrays


def atomic_savefig(fig, path: str, **kwargs) -> str:
    """Save a matplotlib figure atomically (temp file in the same directory, then os.replace)."""
    directory = os.path.dirname(os.path.abspath(path))
    root, ext = os.path.splitext(os.path.basename(path))
    tmp = os.path.join(directory, f".{root}.tmp{ext}")
    try:
        fig.savefig(tmp, **kwargs)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
