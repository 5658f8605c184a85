"""pip install --no-build-isolation ./python: the libframe module with
the library's C sources compiled in (no libframe install needed).
frame_version.h is generated as CMake generates it, from the version in
the top-level CMakeLists.txt's project() line."""
import glob
import os
import re

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIB = os.path.join(ROOT, "libframe")


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        text = f.read()
    m = re.search(r"project\(\s*libframe\s+VERSION\s+(\d+)\.(\d+)\.(\d+)",
                  text)
    if not m:
        raise SystemExit("no project(libframe VERSION X.Y.Z) in "
                         "CMakeLists.txt")
    return m.groups()


class BuildExt(build_ext):
    """Generates frame_version.h into the build directory first."""

    def run(self):
        major, minor, patch = project_version()
        with open(os.path.join(LIB, "include", "libframe",
                               "frame_version.h.in")) as f:
            text = f.read()
        for key, value in (("@PROJECT_VERSION_MAJOR@", major),
                           ("@PROJECT_VERSION_MINOR@", minor),
                           ("@PROJECT_VERSION_PATCH@", patch),
                           ("@PROJECT_VERSION@", f"{major}.{minor}.{patch}")):
            text = text.replace(key, value)
        generated = os.path.join(os.path.abspath(self.build_temp),
                                 "generated")
        os.makedirs(os.path.join(generated, "libframe"), exist_ok=True)
        path = os.path.join(generated, "libframe", "frame_version.h")
        if not os.path.exists(path) or open(path).read() != text:
            with open(path, "w") as f:
                f.write(text)
        for ext in self.extensions:
            ext.include_dirs.insert(0, generated)
        super().run()


sources = sorted(glob.glob(os.path.join(HERE, "src", "*.c")))
sources += sorted(glob.glob(os.path.join(LIB, "src", "*.c")))

setup(
    name="libframe",
    version=".".join(project_version()),
    description="Image frames between processes through shared memory, "
                "as zero-copy buffers",
    ext_modules=[
        Extension(
            "libframe",
            sources=sources,
            include_dirs=[os.path.join(LIB, "include"),
                          os.path.join(LIB, "src")],
            define_macros=[("_GNU_SOURCE", None),
                           ("FRAME_STATIC_DEFINE", None)],
            extra_compile_args=["-std=c11", "-fvisibility=hidden"],
            extra_link_args=["-pthread"],
        )
    ],
    cmdclass={"build_ext": BuildExt},
    python_requires=">=3.9",
)
