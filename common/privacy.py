"""A producer's personal data, exported and erased by every app for its own part.

As pretix's data shredders: each app that stores personal data writes a `PersonalData` subclass in
its own `privacy.py` and registers it in its AppConfig.ready; the producers app (which keeps the
deletion requests) builds the `Subject` and runs them all, so no app reaches into another's tables.
The erasure runs in one database transaction with the audit log off (it would otherwise record the
very values being erased); files are deleted only once that transaction has committed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

ERASED = "[đã xoá]"

_registry: dict[str, type[PersonalData]] = {}


@dataclass
class Subject:
    """Whose data: a producer, all its members (the export names them) and `people`, the members
    whose accounts close with it (those who belong to no other producer)."""

    producer: Any
    members: list = field(default_factory=list)
    people: list = field(default_factory=list)
    actor: Any = None  # the officer carrying out the erasure
    _files: list = field(default_factory=list)

    def delete_after_commit(self, fieldfile):
        """A stored file to delete once the erasure has committed (never before: a rollback would
        leave rows pointing at nothing)."""
        if fieldfile:
            self._files.append((fieldfile.storage, fieldfile.name))


class PersonalData:
    """One app's part. `export` returns sections of the producer's download ({name: rows});
    `erase` removes or blanks what identifies people, keeping the figures the province reports."""

    identifier = ""

    def __init__(self, subject: Subject):
        self.subject = subject
        self.producer = subject.producer

    def export(self) -> dict:
        return {}

    def erase(self) -> None:
        raise NotImplementedError


def plain(value):
    """A value as JSON has it: dates in ISO 8601, files by name, anything else as text."""
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return str(value)


def rows(objects, fields):
    """Export rows: `fields` are attribute names, or (label, function of the object) pairs."""
    result = []
    for obj in objects:
        row = {}
        for spec in fields:
            label, getter = spec if isinstance(spec, tuple) else (spec, None)
            row[label] = plain(getter(obj) if getter else getattr(obj, label))
        result.append(row)
    return result


def register(cls):
    if not cls.identifier:
        raise ValueError(f"{cls.__name__} needs an identifier")
    _registry[cls.identifier] = cls
    return cls


def registered():
    return list(_registry.values())


def export_all(subject):
    data = {}
    for cls in registered():
        data.update(cls(subject).export())
    return data


def erase_all(subject):
    from auditlog.context import disable_auditlog

    with disable_auditlog(), transaction.atomic():
        for cls in registered():
            cls(subject).erase()
        files = list(subject._files)
        transaction.on_commit(lambda: _delete_files(files))


def _delete_files(files):
    """After the commit, so a storage failure cannot undo the erasure: each file that could not be
    deleted is logged by its name (a generated one) for an administrator to remove."""
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - the other files still go
            logger.exception("erasure: could not delete stored file %s", name)


def scrub_audit_entries(model, pks, *, fields=(), object_repr=ERASED):
    """Keep the audit trail (who changed which object, when, which fields) without the personal
    values: the named fields' old and new values become ERASED, and so does the object's label.
    The admin's own log (django.contrib.admin) is treated alike."""
    from auditlog.models import LogEntry
    from django.contrib.admin.models import LogEntry as AdminLogEntry
    from django.contrib.contenttypes.models import ContentType

    keys = [str(pk) for pk in pks]
    if not keys:
        return
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    for entry in LogEntry.objects.filter(content_type=content_type, object_pk__in=keys):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for name in fields:
            if name in changes:
                changes[name] = [ERASED, ERASED]
        entry.changes = changes or None
        entry.changes_text = ""
        entry.serialized_data = None
        entry.object_repr = object_repr
        entry.save(update_fields=["changes", "changes_text", "serialized_data", "object_repr"])
    AdminLogEntry.objects.filter(content_type=content_type, object_id__in=keys).update(
        object_repr=object_repr, change_message="")


def scrub_audit_actors(users):
    """What the audit log noted about the people themselves: their e-mail and network address."""
    from auditlog.models import LogEntry

    LogEntry.objects.filter(actor__in=users).update(actor_email="", remote_addr=None, remote_port=None)
