"""Seeds keyed by identity, never by loop position.

A task's seed is ``SeedSequence(root_seed, spawn_key=key_words(identity))``. Children (instances,
starts) use further spawn-key words with their index, so the numbers a task or start receives do not
depend on the order of execution, the number of workers or the executor.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

import numpy as np


def canonical_json(obj: Any) -> str:
    """Canonical JSON text of ``obj`` (sorted keys, no whitespace): the basis of task identities."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def identity_hash(params: Mapping[str, Any]) -> str:
    """SHA-256 hex digest of the canonical JSON of ``params``."""
    return hashlib.sha256(canonical_json(params).encode()).hexdigest()


def key_words(identity: str, n_words: int = 4) -> tuple[int, ...]:
    """Four 32-bit words from a hex digest, for use as a SeedSequence spawn key."""
    return tuple(int(identity[8 * i: 8 * i + 8], 16) for i in range(n_words))


def seed_sequence(root_seed: int, *key: int | str) -> np.random.SeedSequence:
    """SeedSequence for ``root_seed`` and a key path; strings are hashed into 32-bit words."""
    words: list[int] = []
    for k in key:
        if isinstance(k, str):
            words.extend(key_words(hashlib.sha256(k.encode()).hexdigest()))
        else:
            words.append(int(k))
    return np.random.SeedSequence(int(root_seed), spawn_key=tuple(words))


def generator(root_seed: int, *key: int | str) -> np.random.Generator:
    """``numpy.random.Generator`` (PCG64) for ``root_seed`` and a key path."""
    return np.random.Generator(np.random.PCG64(seed_sequence(root_seed, *key)))
