"""`import_ocop_list`: the province's OCOP list from an uploaded file into the catalogue, with a report."""
import re

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from common.exceptions import PermissionDenied
from common.memory import cyclic_gc_paused
from common.tabular import (
    CREATED,
    REJECTED,
    UPDATED,
    ImportFileError,
    ImportReport,
    RowRejected,
    RowResult,
    read_sheets,
    read_upload,
)

from ..models import OcopProduct
from ..selectors import is_officer
from .headers import find_header
from .rows import Context, parse_row, row_cells, row_kind
from .store import Store
from .values import address_parts, cell_text


def batch_size():
    return getattr(settings, "IMPORT_BATCH_SIZE", 500)


def import_ocop_list(*, file, filename, dry_run=False, user=None):
    """Import the province's OCOP list from a .xlsx or .csv file object; returns an ImportReport.

    Raises ImportFileError (nothing read, nothing written) when the file as a whole is unusable.
    """
    with cyclic_gc_paused():
        return _import_ocop_list(file=file, filename=filename, dry_run=dry_run, user=user)


def _import_ocop_list(*, file, filename, dry_run, user):
    if user is not None and not is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở Công Thương mới được nhập danh sách OCOP."))
    sheets = read_sheets(read_upload(file), filename)

    report = ImportReport(filename=filename, dry_run=dry_run)
    parsed = []
    first_error = None
    for sheet in sheets:
        try:
            start, columns, found = find_header(sheet.rows)
        except ImportFileError as exc:
            first_error = first_error or exc
            continue
        parsed.append((sheet, start, columns))
        report.sheets.append(sheet.name)
        report.columns = report.columns or found
    if not parsed:
        raise first_error

    context = Context(user)
    label_sheets = len(parsed) > 1
    readable = []  # (RowResult, values) of the rows whose cells make sense, in file order
    for sheet, start, columns in parsed:
        section_district = ""
        for number, values in sheet.rows[start:]:
            cells = row_cells(values, columns)
            kind = row_kind(values, cells)
            if kind == "total":
                break
            if kind == "section":
                text = " ".join(cell_text(v) for v in dict.fromkeys(values) if v is not None)
                _c, district = address_parts(re.sub(r"^[IVXLC\d]+[.)]?\s+", "", text))
                section_district = district or section_district
                continue
            if kind != "data":
                continue
            result = RowResult(row=number, status=REJECTED, sheet=sheet.name if label_sheets else "")
            report.rows.append(result)
            try:
                readable.append((result, parse_row(cells, context, section_district, result)))
            except RowRejected as exc:
                result.reasons = exc.reasons

    # The rows' own audit entries would be one per producer and product (most of the time of a
    # large import): one entry for the file says who imported what instead.
    with disable_auditlog(), transaction.atomic():
        store = Store(context, readable)
        for offset in range(0, len(readable), batch_size()):
            store.write_batch(readable[offset: offset + batch_size()])
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit_entry(report, store, user)
    return report


def audit_entry(report, store, user):
    """One audit entry for the file: who imported it, when, what it did (the rows' own entries
    are switched off during the import)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    counts = {
        _("Tạo mới"): report.created, _("Cập nhật"): report.updated, _("Không đổi"): report.unchanged,
        _("Bị từ chối"): report.rejected, _("Chủ thể mới"): report.producers_created,
    }
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(OcopProduct),
        object_pk="",
        object_repr=_("Nhập danh sách OCOP từ tệp “%(file)s”") % {"file": report.filename},
        action=LogEntry.Action.CREATE if report.created else LogEntry.Action.UPDATE,
        changes={str(label): [None, str(count)] for label, count in counts.items()},
        actor=user,
        actor_email=getattr(user, "email", None) or None,
        additional_data={
            "import": {
                "file": report.filename, "sheets": report.sheets,
                "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                "rejected": report.rejected, "producers_created": report.producers_created,
                "products_created": [r.product_id for r in report.rows if r.status == CREATED],
                "products_updated": [r.product_id for r in report.rows if r.status == UPDATED],
                "producers_created_ids": store.created_producers,
                "producers_updated": sorted(store.updated_producers - set(store.created_producers)),
                "rejected_rows": [r.row for r in report.rejected_rows],
            }
        },
    )
