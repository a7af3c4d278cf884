"""Benchmark: moving files over SFTP between the adapter and the sandbox clearinghouse.

Three measurements on 127.0.0.1, one SSH connection each, with real 837P files from the
project's builder (synthetic encounters, ``--claims`` per file):

* upload: ``submit`` of N files (temporary name, size check, rename, taken by the server)
  with the responder off, so the figure is the transport's;
* download: ``list_responses`` + ``fetch`` + ``mark_done`` (archive) of N response files;
* answered: ``submit`` of a few files with the responder on (pyx12 validation, 999, 277CA,
  835), the pace of the whole sandbox, which pyx12 bounds.

    .venv/bin/python bench/bench_sandbox_transfer.py                 # 1,000 files
    .venv/bin/python bench/bench_sandbox_transfer.py --files 200 --claims 50
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path


def build(files: int, claims: int) -> list[tuple[str, bytes]]:
    from edi.claims.build_837p import build_interchanges
    from edi.claims.models import Encounter
    from edi.x12.control import MemoryControlNumbers
    from mappings.profiles import clearinghouse_profile
    from sandbox.synthetic import encounters

    profile = clearinghouse_profile("sandbox")
    profile = profile.model_copy(update={"claims_per_transaction": claims})
    day = date(2026, 11, 26)
    models = (
        Encounter.model_validate(e) for e in encounters(files * claims, day, broken_share=0.0)
    )
    built = build_interchanges(models, profile, MemoryControlNumbers(), datetime(2026, 11, 27))
    return [(f"{i.isa13:09d}.837", i.data) for i in built]


def report(label: str, count: int, size: int, seconds: float) -> None:
    print(
        f"{label:<9} {count:>6} files {size / 1e6:>8.2f} MB {seconds:>7.2f} s  "
        f"{count / seconds:>8.1f} files/s {size / 1e6 / seconds:>7.2f} MB/s"
    )


def timed(operation: Callable[[], None]) -> float:
    start = time.perf_counter()
    operation()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--claims", type=int, default=25, help="claims per 837 file")
    parser.add_argument("--answered", type=int, default=20, help="files sent with answers on")
    args = parser.parse_args()

    from flows.clearinghouse.credentials import parse_private_key
    from flows.clearinghouse.sftp import SftpClearinghouse
    from sandbox.server import SandboxClearinghouse

    files = build(args.files + args.answered, args.claims)
    uploads, answered = files[: args.files], files[args.files :]
    upload_bytes = sum(len(d) for _, d in uploads)
    print(f"{len(uploads)} files of {args.claims} claims, {upload_bytes / len(uploads):,.0f} B avg")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with SandboxClearinghouse(root / "quiet", respond=False) as sandbox:
            key = parse_private_key(sandbox.client_key_path.read_text(), None, "sandbox key")
            with SftpClearinghouse(sandbox.transport(), private_key=key) as ch:

                def upload() -> None:
                    for name, data in uploads:
                        ch.submit(name, data)

                report("upload", len(uploads), upload_bytes, timed(upload))
                for name, data in uploads:  # responses of the same sizes, to download
                    (sandbox.outbound / name.replace(".837", ".835")).write_bytes(data)

                def download() -> None:
                    for name in ch.list_responses():
                        ch.fetch(name)
                        ch.mark_done(name)

                report("download", len(uploads), upload_bytes, timed(download))

        with SandboxClearinghouse(root / "answering") as sandbox:
            key = parse_private_key(sandbox.client_key_path.read_text(), None, "sandbox key")
            with SftpClearinghouse(sandbox.transport(), private_key=key) as ch:

                def answer() -> None:
                    for name, data in answered:
                        ch.submit(name, data)

                size = sum(len(d) for _, d in answered)
                seconds = timed(answer)
                report("answered", len(answered), size, seconds)
                responses = list(sandbox.outbound.iterdir())
                pace = args.claims * len(answered) / seconds
                print(f"          {len(responses)} responses written, {pace:,.0f} claims/s")


if __name__ == "__main__":
    main()
