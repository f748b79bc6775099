"""The restricted store: NDA collaborations and everything derived from them, apart from the live database.

``<db stem>.restricted.duckdb`` beside the live file holds one row per restricted record, sealed with the
restricted key (see ``highfence.restricted_key``): which kind of record, its id and its subject are in the clear,
so that records can be found and replaced without the key; what they say is not. Every read and write of sealed
content appends to ``access_log`` (who, when, which command, which subjects), in the same transaction as the read,
each entry chained to the previous one by a MAC under the key. Nothing here updates or deletes a log entry.

Kinds: ``disclosure_nda`` (the NDA items of one disclosure version, by disclosure_id), ``disclosure_finding`` (a
reconciliation finding from an NDA item, by finding_id), ``assessment`` (an assessment made with restricted
findings, by assessment_id).
"""

from __future__ import annotations

import json
import pwd
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

import duckdb

from highfence.restricted_key import HOW, RestrictedError, RestrictedKey
from highfence.store import db as _db

KINDS = ("disclosure_nda", "disclosure_finding", "assessment")
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS restricted_meta (
    name   VARCHAR PRIMARY KEY,     -- schema_version | key_fingerprint
    value  VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS restricted_records (
    kind        VARCHAR NOT NULL,
    record_id   VARCHAR NOT NULL,
    subject_id  VARCHAR NOT NULL,
    nonce       BLOB NOT NULL,       -- 96 bits, random per record
    sealed      BLOB NOT NULL,       -- AES-256-GCM of the record's JSON; associated data: kind and record_id
    written_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, record_id)
);
-- Append-only: every read and write of sealed content, each entry's MAC covering the previous entry's.
CREATE TABLE IF NOT EXISTS access_log (
    seq       BIGINT PRIMARY KEY,
    accessed_at  TIMESTAMP NOT NULL,
    who       VARCHAR NOT NULL,      -- the operating-system user
    command   VARCHAR NOT NULL,
    action    VARCHAR NOT NULL CHECK (action IN ('read', 'write', 'replace')),
    kind      VARCHAR NOT NULL,
    subjects  VARCHAR[] NOT NULL,
    records   INTEGER NOT NULL,
    mac       VARCHAR NOT NULL
);
"""


def restricted_path(db_path: str | Path) -> Path:
    path = Path(db_path)
    return path.with_name(f"{path.stem}.restricted{path.suffix or '.duckdb'}")


def os_user() -> str:
    """Who reads: the account the process runs as (not $USER, which anyone can set)."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"


@dataclass(frozen=True)
class Record:
    record_id: str
    subject_id: str
    content: object


@dataclass(frozen=True)
class AccessEntry:
    seq: int
    at: datetime
    who: str
    command: str
    action: str
    kind: str
    subjects: list[str]
    records: int
    intact: bool  # its MAC checks out under the key, chained to the entry before


def _entry_text(seq, at, who, command, action, kind, subjects, records) -> str:
    return json.dumps([seq, str(at), who, command, action, kind, list(subjects), records], ensure_ascii=False)


def existing(db_path: str | Path, kind: str, subject_ids: list[str] | None = None) -> dict[str, str]:
    """record_id -> subject_id of the sealed records of a kind (no key needed: nothing sealed is read)."""
    path = restricted_path(db_path)
    if not path.exists():
        return {}
    with _db.connect(path, read_only=True) as con:
        sql = "SELECT record_id, subject_id FROM restricted_records WHERE kind = ?"
        params: list = [kind]
        if subject_ids is not None:
            sql += " AND list_contains(?, subject_id)"
            params.append(subject_ids)
        return dict(con.execute(sql, params).fetchall())


@dataclass
class Restricted:
    """Access to the restricted store of one database, with the key, on behalf of one command."""

    db_path: Path
    key: RestrictedKey = field(repr=False)
    command: str
    lock_timeout: float = 30.0

    @property
    def path(self) -> Path:
        return restricted_path(self.db_path)

    @contextmanager
    def _session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection in one transaction, the schema in place and the key checked against the store's."""
        with _db.connect(self.path, lock_timeout=self.lock_timeout) as con, _db.transaction(con):
            con.execute(_SCHEMA)
            found = dict(con.execute("SELECT name, value FROM restricted_meta").fetchall())
            if "key_fingerprint" not in found:
                con.execute("INSERT INTO restricted_meta VALUES ('schema_version', ?), ('key_fingerprint', ?)",
                            [SCHEMA_VERSION, self.key.fingerprint])
            elif found["key_fingerprint"] != self.key.fingerprint:
                raise RestrictedError(f"restricted store {self.path}: the key from {self.key.origin} is not this "
                                      "store's key (fingerprints differ); nothing was read or written")
            yield con

    def _log(self, con, action: str, kind: str, subjects, records: int) -> None:
        seq, previous = con.execute("SELECT coalesce(max(seq), 0), coalesce(arg_max(mac, seq), '') "
                                    "FROM access_log").fetchall()[0]
        seq += 1
        at, who, subjects = _db.utcnow(), os_user(), sorted(set(subjects))
        mac = self.key.log_mac(previous, _entry_text(seq, at, who, self.command, action, kind, subjects, records))
        con.execute("INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [seq, at, who, self.command, action, kind, subjects, records, mac])

    def read(self, kind: str, subject_ids: list[str] | None = None, record_ids: list[str] | None = None
             ) -> list[Record]:
        """The sealed records of a kind (for these subjects or ids), opened; the read is logged."""
        if not self.path.exists():
            return []
        with self._session() as con:
            sql = "SELECT record_id, subject_id, nonce, sealed FROM restricted_records WHERE kind = ?"
            params: list = [kind]
            if subject_ids is not None:
                sql += " AND list_contains(?, subject_id)"
                params.append(subject_ids)
            if record_ids is not None:
                sql += " AND list_contains(?, record_id)"
                params.append(record_ids)
            rows = con.execute(sql + " ORDER BY subject_id, record_id", params).fetchall()
            out = [Record(rid, sid, self.key.open(kind, rid, nonce, sealed, str(self.path)))
                   for rid, sid, nonce, sealed in rows]
            if out:
                self._log(con, "read", kind, [r.subject_id for r in out], len(out))
        return out

    def write(self, kind: str, records: list[Record], replace_subjects: list[str] | None = None) -> int:
        """Seal and store records; with ``replace_subjects``, that kind's records of those subjects are replaced."""
        if kind not in KINDS:
            raise ValueError(kind)
        if not records and not replace_subjects:
            return 0
        with self._session() as con:
            if replace_subjects is not None:
                con.execute("DELETE FROM restricted_records WHERE kind = ? AND list_contains(?, subject_id)",
                            [kind, replace_subjects])
            now = _db.utcnow()
            for r in records:
                nonce, sealed = self.key.seal(kind, r.record_id, r.content)
                con.execute("INSERT OR REPLACE INTO restricted_records VALUES (?, ?, ?, ?, ?, ?)",
                            [kind, r.record_id, r.subject_id, nonce, sealed, now])
            self._log(con, "replace" if replace_subjects is not None else "write", kind,
                      [r.subject_id for r in records] + list(replace_subjects or []), len(records))
        return len(records)

    def access_log(self, limit: int | None = None) -> list[AccessEntry]:
        """The log, oldest first, each entry checked against the chain (the log's own reading is not logged)."""
        if not self.path.exists():
            return []
        with self._session() as con:
            rows = con.execute("SELECT seq, accessed_at, who, command, action, kind, subjects, records, mac FROM access_log "
                               "ORDER BY seq").fetchall()
        out, previous, intact = [], "", True
        for seq, at, who, command, action, kind, subjects, records, mac in rows:
            expected = self.key.log_mac(previous, _entry_text(seq, at, who, command, action, kind, subjects,
                                                              records))
            intact = intact and expected == mac and seq == (out[-1].seq + 1 if out else 1)
            out.append(AccessEntry(seq, at, who, command, action, kind, list(subjects), records, intact))
            previous = mac
        return out[-limit:] if limit else out


def seal_plaintext(restricted: Restricted) -> dict[str, int]:
    """Move restricted content stored in the clear before it was sealed (NDA items in ``disclosures.content``,
    restricted ``disclosure_findings``, and assessments whose triggers cite them) into the restricted store, then
    rewrite the live file so that no freed block keeps a copy. Counts moved, by kind."""
    moved = {kind: 0 for kind in KINDS}
    with _db.connect(restricted.db_path, lock_timeout=restricted.lock_timeout) as con, _db.transaction(con):
        nda = [(did, rid, json.loads(content)) for did, rid, content in con.execute(
            "SELECT disclosure_id, researcher_id, content::VARCHAR FROM disclosures "
            "WHERE coalesce(json_array_length(content->'nda_collaborations'), 0) > 0").fetchall()]
        cur = con.execute("SELECT * FROM disclosure_findings WHERE restricted")
        cols = [d[0] for d in cur.description]
        findings = [dict(zip(cols, r)) for r in cur.fetchall()]
        ids = {f["finding_id"] for f in findings}
        derived = []
        for aid, sid, pack, version, as_of, outcome, triggers, areas, mitigations, run_id, at in con.execute(
                "SELECT assessment_id, subject_id, pack_id, pack_version, as_of, outcome, triggers::VARCHAR, "
                "areas::VARCHAR, mitigations::VARCHAR, run_id, assessed_at FROM assessments").fetchall():
            trig = json.loads(triggers)
            if ids & {e.get("finding_id") for t in trig for e in t.get("evidence", [])}:
                derived.append(Record(aid, sid, {"subject_id": sid, "pack": pack, "pack_version": version,
                                                 "as_of": as_of.isoformat(), "outcome": outcome, "triggers": trig,
                                                 "areas": json.loads(areas), "mitigations": json.loads(mitigations),
                                                 "run_id": run_id, "assessed_at": at.isoformat()}))
        for f in findings:
            f["evidence"] = json.loads(f["evidence"])
        moved["disclosure_nda"] = restricted.write("disclosure_nda", [Record(did, rid, c["nda_collaborations"])
                                                                      for did, rid, c in nda])
        moved["disclosure_finding"] = restricted.write(
            "disclosure_finding", [Record(f["finding_id"], f["subject_id"], {k: (v.isoformat() if hasattr(
                v, "isoformat") else v) for k, v in f.items()}) for f in findings])
        moved["assessment"] = restricted.write("assessment", derived)
        for did, _, content in nda:
            con.execute("UPDATE disclosures SET content = ? WHERE disclosure_id = ?",
                        [json.dumps({k: v for k, v in content.items() if k != "nda_collaborations"},
                                    ensure_ascii=False, sort_keys=True), did])
        con.execute("DELETE FROM disclosure_findings WHERE restricted")
        con.execute("DELETE FROM assessments WHERE list_contains(?, assessment_id)", [[r.record_id for r in derived]])
    if any(moved.values()):
        _db.compact(restricted.db_path, lock_timeout=restricted.lock_timeout)
    return moved


def needs_key(what: str) -> RestrictedError:
    return RestrictedError(f"{what} is restricted (NDA): it needs the restricted key; {HOW}")


def from_settings(settings, command: str) -> Restricted | None:
    """Access for ``command`` when a key is configured, else None. A bad key or key file is an error here."""
    from highfence.restricted_key import load_key

    key = load_key(settings.values.get("restricted.key_file"))
    if key is None:
        return None
    return Restricted(Path(settings.store.db), key, command, settings.store.lock_timeout)


def require(settings, command: str, what: str) -> Restricted:
    access = from_settings(settings, command)
    if access is None:
        raise needs_key(what)
    return access
