"""Build step beyond pyproject.toml: the screening hot path (`corridor._native`
lists the modules) is compiled with mypyc, typed Python → C extensions, and the
digest of the sources it was built from is recorded.  CORRIDOR_PURE_PYTHON=1
skips compiling: the same modules then run interpreted, slower.
"""

import os
import runpy

from setuptools import setup

native = runpy.run_path("src/corridor/_native.py")


def ext_modules() -> list:
    digest_file = native["DIGEST_FILE"]
    if os.environ.get(native["PURE_ENV"]) == "1":
        digest_file.unlink(missing_ok=True)
        return []
    from mypyc.build import mypycify

    sources = [str(native["source_path"](m).relative_to(os.getcwd())) for m in native["COMPILED"]]
    modules = mypycify(sources, opt_level="3")
    digest_file.write_text(native["source_digest"]() + "\n")
    return modules


setup(ext_modules=ext_modules())
