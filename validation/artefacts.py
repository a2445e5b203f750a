"""The studies' large raw results, kept as one xz-compressed tar per study and read transparently.

validation/results/ keeps what a page is rendered from (summaries, reports, small files). The raw inputs of a
full rerun (complete and incomplete enumerations, the circuit-model cache's replicates, simulation arrays,
the paper figure's sweep store) live in ``validation/artefacts/<study>.tar.xz``, members named by their path
under validation/results/ (``basin_weighting/incomplete/inc_n4_p16_fidelity.json``). The environment variable
RMT_QGM_ARTEFACTS points the readers at another directory holding the same archives.

The studies read a raw file through :func:`exists`, :func:`load_json` and :func:`load_npz`: the plain file under
validation/results/ when it is there (what a run has just written), else the member of its study's archive.
After a run, ``python -m validation.artefacts pack STUDY`` moves the new plain raw files (RAW patterns) into the
archive (plain files win over members of the same name; the archive is written atomically and
deterministically: sorted members, zero times and owners, so the same content gives the same bytes).

    python -m validation.artefacts list                 # archives, members, sizes
    python -m validation.artefacts pack STUDY [...]     # plain raw files -> archive (removes the plain files)
    python -m validation.artefacts unpack STUDY [...]   # archive -> plain files (e.g. to redraw paper-fig1)
"""
from __future__ import annotations

import argparse
import fnmatch
import io
import json
import lzma
import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
#: the raw files of each study (patterns on the path under validation/results/), packed into its archive
RAW = {
    "basin_weighting": ("basin_weighting/enum_*.json", "basin_weighting/incomplete/*"),
    "basin_gamma_law": ("basin_gamma_law/enum_*.json", "basin_gamma_law/seen_*.json"),
    "circuit_model_cache": ("circuit_model_cache/n*_p*_s*_mc*.json",),
    "empirical_ci_coverage": ("empirical_ci_coverage/*.npz",),
    "paper-fig1": ("paper-fig1/paper-fig1-sims/*",),
}


def artefacts_dir() -> str:
    return os.environ.get("RMT_QGM_ARTEFACTS") or os.path.join(HERE, "artefacts")


def archive_path(study: str) -> str:
    return os.path.join(artefacts_dir(), f"{study}.tar.xz")


def _member(path: str) -> str | None:
    """The member name of a raw file (its path under validation/results/), None outside validation/results/."""
    rel = os.path.relpath(os.path.abspath(path), RESULTS)
    if rel.startswith(os.pardir) or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


_CACHE: dict[str, tuple[float, dict[str, bytes]]] = {}


def members(study: str) -> dict[str, bytes]:
    """{member: content} of a study's archive (decompressed once per process and archive version); {} if none."""
    path = archive_path(study)
    if not os.path.exists(path):
        return {}
    stamp = os.path.getmtime(path)
    hit = _CACHE.get(path)
    if hit is None or hit[0] != stamp:
        with tarfile.open(path, "r:xz") as tar:
            data = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        _CACHE[path] = hit = (stamp, data)
    return hit[1]


def _archived(path: str) -> bytes | None:
    m = _member(path)
    if m is None:
        return None
    return members(m.split("/", 1)[0]).get(m)


def exists(path: str) -> bool:
    """Whether the raw file is there, plain or in its study's archive."""
    return os.path.exists(path) or _archived(path) is not None


def read_bytes(path: str) -> bytes:
    if os.path.exists(path):
        with open(path, "rb") as fh:
            return fh.read()
    data = _archived(path)
    if data is None:
        raise FileNotFoundError(f"{path} (neither a file nor in {archive_path(_member(path) or '?')})")
    return data


def load_json(path: str):
    return json.loads(read_bytes(path).decode("utf-8"))


def load_npz(path: str) -> dict:
    """The arrays of an .npz file, plain or archived."""
    import numpy as np
    with np.load(io.BytesIO(read_bytes(path))) as z:
        return {k: z[k] for k in z.files}


def _plain_raw(study: str) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(RESULTS, study.split("/")[0])):
        dirnames.sort()
        for f in sorted(filenames):
            m = _member(os.path.join(dirpath, f))
            if any(fnmatch.fnmatch(m, pat) for pat in RAW[study]):
                out.append(m)
    return out


def _write_archive(study: str, data: dict[str, bytes]) -> None:
    from rmt_qgm.store import atomic_write_bytes
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(data):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data[name]), 0, 0o644
            tar.addfile(info, io.BytesIO(data[name]))
    os.makedirs(artefacts_dir(), exist_ok=True)
    atomic_write_bytes(archive_path(study), lzma.compress(buf.getvalue(), preset=9 | lzma.PRESET_EXTREME))


def pack(study: str) -> tuple[int, int]:
    """Move the study's plain raw files into its archive; returns (files packed, archive members)."""
    data = dict(members(study))
    plain = _plain_raw(study)
    for m in plain:
        with open(os.path.join(RESULTS, m), "rb") as fh:
            data[m] = fh.read()
    if plain:
        _write_archive(study, data)
        if members(study) != data:                  # read back before anything is removed
            raise RuntimeError(f"{archive_path(study)}: the archive does not read back as written")
        for m in plain:
            os.remove(os.path.join(RESULTS, m))
        for dirpath, _, _ in sorted(os.walk(os.path.join(RESULTS, study)), reverse=True):
            if dirpath != os.path.join(RESULTS, study) and not os.listdir(dirpath):
                os.rmdir(dirpath)
    return len(plain), len(data)


def unpack(study: str) -> int:
    """Write the study's archived files back as plain files (existing plain files are kept)."""
    from rmt_qgm.store import atomic_write_bytes
    n = 0
    for m, data in members(study).items():
        path = os.path.join(RESULTS, *m.split("/"))
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            atomic_write_bytes(path, data)
            n += 1
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m validation.artefacts", description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("list", "pack", "unpack"))
    ap.add_argument("studies", nargs="*", metavar="STUDY", help=" | ".join(RAW) + " (default: all)")
    a = ap.parse_args(argv)
    bad = [s for s in a.studies if s not in RAW]
    if bad:
        print(f"artefacts: unknown study {', '.join(bad)} (one of {', '.join(RAW)})", file=sys.stderr)
        return 2
    for study in a.studies or RAW:
        if a.action == "pack":
            k, n = pack(study)
            print(f"{study}: {k} plain files packed, {n} members in {archive_path(study)}")
        elif a.action == "unpack":
            print(f"{study}: {unpack(study)} files written under {os.path.join(RESULTS, study)}")
        else:
            m = members(study)
            size = os.path.getsize(archive_path(study)) if m else 0
            print(f"{study}: {len(m)} members, {sum(map(len, m.values())) / 1e6:.1f} MB raw, "
                  f"{size / 1e6:.2f} MB compressed ({archive_path(study)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
