#!/usr/bin/env python3
"""Relinks an already built haws with the Swift runtime linked in statically, for the package test.

    Scripts/link-static.py MANIFEST OUTPUT       e.g. .build/debug.yaml .build-deb/haws-static

`make deb` builds the release binary with `swift build -c release --static-swift-stdlib`, which on
2 shared cores takes many minutes; `make test` already has every object file of the debug build. This
replays SwiftPM's own link command for `haws` from its build manifest (MANIFEST, written by
`swift build`) with `-static-stdlib` and a new output path: about 30 s, and the package test then
checks the same kind of binary the .deb carries. The two extra libraries: linked this way, the debug
objects pull in parts of the static FoundationEssentials (property lists, BigString) that need
_FoundationCShims and _FoundationCollections, which the toolchain does not name for the linker
(undefined references without them); the release link of `make deb` succeeds without them.
"""
import json
import re
import subprocess
import sys

EXTRA = ["-static-stdlib", "-l_FoundationCShims", "-l_FoundationCollections"]


def link_arguments(manifest_text: str) -> list[str]:
    """The `args` of the manifest command whose description is `Linking .../haws`."""
    blocks = re.split(r"\n\n", manifest_text)
    for block in blocks:
        if re.search(r'description: "Linking [^"]*/haws"', block):
            match = re.search(r"^\s*args: (\[.*\])\s*$", block, re.MULTILINE)
            if match:
                return json.loads(match.group(1))
    raise SystemExit("link-static: no 'Linking .../haws' command in the manifest: run swift build first")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    manifest, output = sys.argv[1], sys.argv[2]
    with open(manifest, encoding="utf-8") as file:
        args = link_arguments(file.read())
    position = args.index("-o")
    args[position + 1] = output
    # $ORIGIN is where SwiftPM puts dynamic products next to the binary; a packaged binary has none.
    cleaned = []
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "-Xlinker" and index + 1 < len(args) and args[index + 1].startswith("-rpath="):
            skip = True
            continue
        cleaned.append(arg)
    return subprocess.call(cleaned + EXTRA)


if __name__ == "__main__":
    sys.exit(main())
