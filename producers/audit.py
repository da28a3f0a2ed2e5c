"""The audit log as Vietnamese sentences, for the officers' page.

`describe(entries)` turns django-auditlog entries into `AuditLine`s: who (name and role), what
(added, changed, deleted), which object (the model's Vietnamese name and the object's), which fields
changed (their Vietnamese names, values as people write them: choice labels, `150.000 ₫`,
`dd/mm/yyyy`, có/không) and when, in local time. auditlog stores values as `str()` of the Python
value; they are read back here by field type. Bookkeeping fields without a Vietnamese name
(`name_key`, `updated_at`...) are left out: a raw field name is never shown.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import UTC

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from dateutil import parser as date_parser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.formatting import format_vnd

from .models import Membership
from .selectors import is_officer

# Fields holding đồng (the models keep them as integers).
MONEY_FIELDS = {"price", "price_override", "amount"}
# Vietnamese names for fields declared without one; any other such field is bookkeeping, not shown.
FIELD_NAMES = {
    "producer": gettext_lazy("chủ thể OCOP"),
    "user": gettext_lazy("tài khoản"),
    "email": gettext_lazy("email"),
    "is_active": gettext_lazy("còn sử dụng"),
    "created_by": gettext_lazy("người tạo"),
    "connected_by": gettext_lazy("người kết nối"),
    "connected_at": gettext_lazy("kết nối lúc"),
    "live_since": gettext_lazy("đang bán từ"),
    "delisted_at": gettext_lazy("gỡ khỏi sàn lúc"),
    "status_changed_by": gettext_lazy("người đổi trạng thái"),
}
# Where an object's producer is, to tell the actor's role for that producer.
PRODUCER_PATHS = ("producer", "account__producer", "product__producer")
MAX_VALUE_LENGTH = 160
MASKED_NONE = "**ne"  # auditlog's mask of the string "None"


@dataclass
class AuditLine:
    when: str
    sentence: str
    changes: list = field(default_factory=list)
    remote_addr: str = ""


def describe(entries):
    """`AuditLine`s for `entries` (a page of LogEntry), in their order, with few queries."""
    entries = list(entries)
    related = _RelatedNames()
    related.preload(entries)
    producers = _producer_ids(entries)
    roles = _Roles(entries, producers)
    lines = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        who = roles.describe(entry.actor, producers.get(entry.pk))
        lines.append(AuditLine(
            when=timezone.localtime(entry.timestamp).strftime("%d/%m/%Y %H:%M"),
            sentence=_sentence(entry, model, who),
            changes=_changes(entry, model, related),
            remote_addr=entry.remote_addr or "",
        ))
    return lines


def model_name(content_type):
    model = content_type.model_class()
    return str(model._meta.verbose_name) if model else content_type.name


# Sentences --------------------------------------------------------------------------------------

def _sentence(entry, model, who):
    imported = (entry.additional_data or {}).get("import") if isinstance(entry.additional_data, dict) else None
    if imported:
        return _("%(who)s đã nhập danh sách OCOP từ tệp “%(file)s”") % {"who": who, "file": imported.get("file", "")}
    what = model_name(entry.content_type) if entry.content_type_id else _("dữ liệu")
    values = {"who": who, "what": what, "name": _object_name(entry, model)}
    if entry.action == LogEntry.Action.CREATE:
        return _("%(who)s đã thêm %(what)s “%(name)s”") % values
    if entry.action == LogEntry.Action.DELETE:
        return _("%(who)s đã xoá %(what)s “%(name)s”") % values
    if entry.action == LogEntry.Action.ACCESS:
        return _("%(who)s đã xem %(what)s “%(name)s”") % values
    return _("%(who)s đã sửa %(what)s “%(name)s”") % values


def _object_name(entry, model):
    name = entry.object_repr or ""
    if model is None:
        return name
    if auditlog.contains(model) and auditlog.get_model_fields(model)["mask_fields"]:
        name = re.sub(r"\d{6,}", lambda m: _mask(m.group()), name)
    labels = {str(value): str(label) for model_field in model._meta.fields if model_field.choices
              for value, label in model_field.flatchoices}
    # "… (owner)" written by a __str__ reads "… (Chủ sở hữu)"
    return re.sub(r"\((\w+)\)$", lambda m: f"({labels.get(m.group(1), m.group(1))})", name)


def _mask(value):
    half = len(value) // 2
    return "*" * half + value[half:]


# Who ---------------------------------------------------------------------------------------------

class _Roles:
    def __init__(self, entries, producers):
        actor_ids = {entry.actor_id for entry in entries if entry.actor_id}
        self.memberships = {}
        for membership in Membership.objects.filter(user_id__in=actor_ids).select_related("producer").order_by("pk"):
            self.memberships.setdefault(membership.user_id, []).append(membership)
        self.officers = {}

    def describe(self, user, producer_id):
        if user is None:
            return _("Hệ thống")
        name = user.get_full_name() if hasattr(user, "get_full_name") else ""
        name = getattr(user, "full_name", "") or name or user.get_username()
        role = self.role(user, producer_id)
        return _("%(name)s (%(role)s)") % {"name": name, "role": role} if role else name

    def role(self, user, producer_id):
        if user.pk not in self.officers:
            self.officers[user.pk] = is_officer(user)
        if self.officers[user.pk]:
            return _("cán bộ Sở")
        memberships = self.memberships.get(user.pk, [])
        for membership in memberships:
            if membership.producer_id == producer_id:
                return membership.get_role_display().lower()
        if memberships:
            return _("%(role)s %(producer)s") % {
                "role": memberships[0].get_role_display().lower(), "producer": memberships[0].producer.name}
        if user.is_superuser:
            return _("quản trị viên")
        return ""


def _producer_ids(entries):
    """entry pk -> the producer its object belongs to, when it can be told."""
    found, by_model = {}, {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        if model is None or not entry.object_pk:
            continue
        if model._meta.label == "producers.Producer":
            found[entry.pk] = _int(entry.object_pk)
            continue
        recorded = (entry.changes_dict.get("producer") or [None, None]) if isinstance(entry.changes_dict, dict) else []
        recorded = [value for value in recorded if value not in (None, "None")]
        if recorded:
            found[entry.pk] = _int(recorded[-1])
        else:
            by_model.setdefault(model, []).append(entry)
    for model, model_entries in by_model.items():
        path = next((p for p in PRODUCER_PATHS if _has_path(model, p)), None)
        if path is None:
            continue
        pks = [_int(entry.object_pk) for entry in model_entries]
        owners = dict(model._default_manager.filter(pk__in=[pk for pk in pks if pk is not None])
                      .values_list("pk", path))
        for entry in model_entries:
            found[entry.pk] = owners.get(_int(entry.object_pk))
    return found


def _has_path(model, path):
    for part in path.split("__"):
        try:
            model = model._meta.get_field(part).related_model
        except FieldDoesNotExist:
            return False
        if model is None:
            return False
    return True


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# What changed ------------------------------------------------------------------------------------

def _changes(entry, model, related):
    changes = entry.changes_dict if isinstance(entry.changes_dict, dict) else {}
    if entry.action == LogEntry.Action.DELETE:
        return []
    registered = auditlog.get_model_fields(model) if model is not None and auditlog.contains(model) else None
    lines = []
    for name, values in changes.items():
        old, new = (list(values) + [None, None])[:2] if isinstance(values, (list, tuple)) else (None, values)
        model_field = _field(model, name)
        if model_field is None:
            if model is not None and re.fullmatch(r"[a-z0-9_]+", name):
                continue  # a field that no longer exists: its name is not for people
            label, show = name, (lambda value: _plain(value))  # a summary written in Vietnamese
        else:
            label = _label(model_field, registered)
            if label is None:
                continue
            masked = registered is not None and model_field.name in registered["mask_fields"]
            def show(value, f=model_field, m=masked):
                return _value(f, value, related, masked=m)
        if entry.action == LogEntry.Action.CREATE:
            shown = show(new)
            if shown:
                lines.append(_("%(field)s: %(value)s") % {"field": label, "value": shown})
        else:
            lines.append(_("%(field)s: %(old)s → %(new)s") % {
                "field": label, "old": show(old) or _("(trống)"), "new": show(new) or _("(trống)")})
    return lines


def _field(model, name):
    if model is None:
        return None
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return model_field if getattr(model_field, "concrete", False) else None


def _label(model_field, registered):
    if model_field.primary_key and model_field.auto_created:
        return None
    if registered and model_field.name in registered["mapping_fields"]:
        return str(registered["mapping_fields"][model_field.name])
    verbose = str(model_field.verbose_name)
    if model_field.name in FIELD_NAMES:
        label = str(FIELD_NAMES[model_field.name]) if verbose == model_field.name.replace("_", " ") else verbose
    elif verbose != model_field.name.replace("_", " "):
        label = verbose
    else:
        return None
    if model_field.name in MONEY_FIELDS:
        label = re.sub(r"\s*\((?:đồng|₫|VND)\)\s*$", "", label)
    return label


def _value(model_field, value, related, *, masked=False):
    """A stored value as people write it; "" for nothing."""
    if value is None or value == "None" or (masked and value == MASKED_NONE):
        return ""
    value = str(value)
    if masked:
        return value
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(_choice_key(model_field, value), value))
    if isinstance(model_field, models.BooleanField):
        return _("có") if value in ("True", "1", "true") else _("không")
    if model_field.is_relation and model_field.many_to_one:
        return related.name(model_field.related_model, value)
    if isinstance(model_field, models.DateTimeField):
        return _datetime(value)
    if isinstance(model_field, models.DateField):
        return _date(value)
    if isinstance(model_field, models.JSONField):
        return _json(value)
    if model_field.name in MONEY_FIELDS and _int(value) is not None:
        return format_vnd(value)
    if isinstance(model_field, (models.IntegerField, models.DecimalField, models.FloatField)):
        number = _int(value)
        return f"{number:,}".replace(",", ".") if number is not None else value
    return _plain(value)


def _choice_key(model_field, value):
    try:
        return model_field.to_python(value)
    except Exception:  # noqa: BLE001 - a value the field no longer accepts is shown as it was
        return value


def _datetime(value):
    try:
        moment = date_parser.parse(value)
    except (ValueError, OverflowError):
        return _plain(value)
    if timezone.is_naive(moment):  # auditlog stores datetimes as naive UTC
        moment = moment.replace(tzinfo=UTC)
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def _date(value):
    try:
        return date_parser.parse(value).strftime("%d/%m/%Y")
    except (ValueError, OverflowError):
        return _plain(value)


def _json(value):
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return _plain(value)
    return _plain(_flatten(data))


def _flatten(data):
    if isinstance(data, dict):
        return "; ".join(f"{key}: {_flatten(item)}" for key, item in sorted(data.items()))
    if isinstance(data, list):
        return ", ".join(_flatten(item) for item in data)
    if data is None:
        return ""
    if isinstance(data, bool):
        return _("có") if data else _("không")
    return str(data)


def _plain(value):
    value = str(value if value is not None else "")
    return value if len(value) <= MAX_VALUE_LENGTH else value[: MAX_VALUE_LENGTH - 1] + "…"


class _RelatedNames:
    """Names of related objects by pk, one query per related model and page."""

    def __init__(self):
        self.cache = {}

    def preload(self, entries):
        wanted = {}
        for entry in entries:
            model = entry.content_type.model_class() if entry.content_type_id else None
            changes = entry.changes_dict if isinstance(entry.changes_dict, dict) else {}
            for name, values in changes.items():
                model_field = _field(model, name)
                if model_field is not None and model_field.is_relation and model_field.many_to_one:
                    values = values if isinstance(values, (list, tuple)) else [values]
                    wanted.setdefault(model_field.related_model, set()).update(
                        str(value) for value in values if value not in (None, "None", ""))
        for model, pks in wanted.items():
            keys = [_key(model, pk) for pk in pks]
            found = model._default_manager.in_bulk([key for key in keys if key is not None])
            names = self.cache.setdefault(model, {})
            for pk in pks:
                obj = found.get(_key(model, pk))
                names[pk] = str(obj) if obj is not None else _("(đã xoá)")

    def name(self, model, pk):
        names = self.cache.setdefault(model, {})
        if pk not in names:
            key = _key(model, pk)
            obj = model._default_manager.filter(pk=key).first() if key is not None else None
            names[pk] = str(obj) if obj is not None else _("(đã xoá)")
        return names[pk]


def _key(model, pk):
    try:
        return model._meta.pk.to_python(pk)
    except Exception:  # noqa: BLE001 - not a key of this model: the object reads as deleted
        return None
