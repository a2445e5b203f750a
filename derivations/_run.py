"""Helper: run every ``test_*`` function of a derivation module and print what it checked."""
import sys


def run_module(mod_name: str) -> None:
    mod = sys.modules[mod_name]
    print(mod.__doc__.strip().splitlines()[0])
    for name in sorted(n for n in dir(mod) if n.startswith("test_")):
        getattr(mod, name)()
        print(f"  ok  {name}")
