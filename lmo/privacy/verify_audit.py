#!/usr/bin/env python3
"""Verify an LMO export's audit chain offline (standard library only).

Run it in the export's ``audit/`` folder: ``python3 verify_audit.py``. Every record of
``chain.jsonl`` must follow from the one before, ``digest = sha256(previous digest + "\\n"
+ the record's canonical JSON)``, numbered 1, 2, 3... with no gap, and the last one must
be the head in ``head.json``. Prints "OK: N records" (exit 0) or the first problem
(exit 1)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any


def record_digest(previous: str, record: dict[str, Any]) -> str:
    content = dict(record["fields"])
    content.update(record.get("when_set") or {})
    text = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


def verify(folder: Path) -> tuple[bool, str]:
    previous, count = "", 0
    with (folder / "chain.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            count += 1
            if record.get("seq") != count:
                return False, f"record {count} is missing"
            if record_digest(previous, record) != record.get("digest"):
                return False, f"record {count} was changed"
            previous = record["digest"]
    head_file = folder / "head.json"
    if head_file.exists():
        head = json.loads(head_file.read_text(encoding="utf-8"))
        if head.get("seq", 0) != count or (head.get("digest") or "") != previous:
            return False, f"records after {count} are missing"
    return True, f"OK: {count} records"


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    ok, message = verify(folder)
    print(message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
