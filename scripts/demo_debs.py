"""Unpack Debian packages into the user cache without touching the host's system packages.

    python scripts/demo_debs.py NAME PACKAGE [PACKAGE...]     prints the unpacked root directory

The same approach as `scripts/setup` uses for Python: a private, download-only apt configuration (own package
lists and cache under `${XDG_CACHE_HOME:-~/.cache}/gsm-gateway-dev/NAME/`) that reads the host's apt sources and,
read-only, the host's dpkg status. apt's resolver then names exactly the packages the host lacks (the library
closure); they are downloaded and unpacked with `dpkg-deb -x`. Programs from the root run with
`LD_LIBRARY_PATH=$(python scripts/demo_debs.py --library-path ROOT)`. Nothing is installed, nothing runs as a
maintainer script, and the packages come from the host's own suite, so no glibc juggling is needed.

Used for Chromium (screenshots) and for ffmpeg and libturbojpeg, which Home Assistant's always-loaded `tts` and
`camera` integrations look for (a missing one is an error in the log).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import re
import shutil
import subprocess
import sys

HOST_DPKG_STATUS = Path("/var/lib/dpkg/status")
SHARED_LIBRARY = re.compile(r"\.so(\.\d+)*$")


def cache_root() -> Path:
    """The project's user cache (shared with scripts/setup)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gsm-gateway-dev"


def _apt_config(apt_dir: Path) -> Path:
    """A private apt configuration: the host's sources, our own lists and cache, the host's status read-only."""
    for sub in ("lists/partial", "cache/archives/partial"):
        (apt_dir / sub).mkdir(parents=True, exist_ok=True)
    config = apt_dir / "apt.conf"
    config.write_text(
        "\n".join(
            (
                'Dir::Etc::SourceList "/etc/apt/sources.list";',
                'Dir::Etc::SourceParts "/etc/apt/sources.list.d";',
                f'Dir::State::Lists "{apt_dir}/lists";',
                f'Dir::State::status "{HOST_DPKG_STATUS}";',
                f'Dir::Cache "{apt_dir}/cache";',
                'APT::Get::Download-Only "true";',
                'Debug::NoLocking "true";',
            )
        )
        + "\n",
        encoding="utf-8",
    )
    return config


def _apt(config: Path, *args: str, cwd: Path | None = None) -> str:
    env = {key: value for key, value in os.environ.items() if key != "APT_CONFIG"}
    result = subprocess.run(
        ["apt-get", "-c", str(config), "-qq", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"apt-get {args[0]} failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def missing_packages(config: Path, packages: list[str]) -> list[str]:
    """What apt would install on this host for `packages` (names only): the part of the closure the host lacks."""
    output = _apt(config, "install", "--no-install-recommends", "--print-uris", *packages)
    # Lines look like: 'http://.../chromium_156.0-1_amd64.deb' chromium_156.0-1_amd64.deb 12345 SHA256:...
    return [
        fields[1].split("_", 1)[0]
        for line in output.splitlines()
        if line.startswith("'") and len(fields := line.split()) >= 2
    ]


def provision(name: str, packages: list[str]) -> Path:
    """Unpack `packages` (and what the host lacks of their dependencies) once; return the root directory."""
    base = cache_root() / name
    root = base / "root"
    stamp = base / "complete"
    wanted = " ".join(sorted(packages))
    if stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return root
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        sys.exit("apt-get and dpkg-deb are needed to fetch Debian packages into the user cache")
    config = _apt_config(base / "apt")
    print(f"[demo] fetching Debian packages for {name} into {base} (host packages stay untouched)", file=sys.stderr)
    _apt(config, "update")
    names = missing_packages(config, packages)
    debs = base / "debs"
    shutil.rmtree(debs, ignore_errors=True)
    debs.mkdir(parents=True)
    if names:
        _apt(config, "download", *names, cwd=debs)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    print(f"[demo] unpacked {len(names)} package(s) for {name}", file=sys.stderr)
    stamp.write_text(wanted, encoding="utf-8")
    return root


def library_path(root: Path) -> str:
    """Every directory under `root` holding shared libraries, for LD_LIBRARY_PATH."""
    dirs = sorted({str(path.parent) for path in root.rglob("*.so*") if SHARED_LIBRARY.search(path.name)})
    return ":".join(dirs)


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description="Unpack Debian packages into the user cache.")
    parser.add_argument("--library-path", metavar="ROOT", help="print LD_LIBRARY_PATH for an unpacked root")
    parser.add_argument("name", nargs="?", help="cache directory name, e.g. chromium")
    parser.add_argument("packages", nargs="*")
    args = parser.parse_args(argv)
    if args.library_path:
        print(library_path(Path(args.library_path)))
        return
    if not args.name or not args.packages:
        parser.error("give a name and at least one package")
    print(provision(args.name, args.packages))


if __name__ == "__main__":
    main()
