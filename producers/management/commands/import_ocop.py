from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from producers.importing import ImportFileError, import_ocop_list


class Command(BaseCommand):
    help = (
        "Import the province's official OCOP list (.xlsx or .csv). Exits 1 when any row was "
        "rejected; --dry-run reads and checks everything and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file without writing anything.")

    def handle(self, *args, file, dry_run, **options):
        if not file.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": file})
        try:
            with file.open("rb") as stream:
                report = import_ocop_list(file=stream, filename=file.name, dry_run=dry_run)
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        write_report(self.stdout, report)
        if report.has_rejections:
            raise CommandError(
                _(
                    "%(n)s dòng bị từ chối: sửa các dòng trên rồi nhập lại tệp "
                    "(các dòng đã nhập sẽ không đổi)."
                )
                % {"n": report.rejected}
            )


def write_report(stdout, report):
    stdout.write(
        _("Tệp %(file)s, trang tính: %(sheets)s.")
        % {"file": report.filename, "sheets": ", ".join(report.sheets)}
    )
    stdout.write(
        _(
            "Tạo mới: %(created)s · Cập nhật: %(updated)s · Không đổi: %(unchanged)s · "
            "Bị từ chối: %(rejected)s · Chủ thể mới: %(producers)s"
        )
        % {
            "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
            "rejected": report.rejected, "producers": report.producers_created,
        }
    )
    for row in report.rows:
        where = _("Dòng %(row)s") % {"row": row.row}
        if row.sheet:
            where = f"{row.sheet}, {where.lower()}"
        if row.status == "rejected":
            stdout.write(f"  {where}: {' '.join(row.reasons)}")
        elif row.status == "updated":
            stdout.write(f"  {where}: {row.product}: {_('cập nhật')} {', '.join(row.changed_fields)}")
        for warning in row.warnings:
            stdout.write(f"  {where}: {warning}")
    if report.dry_run:
        stdout.write(_("Chạy thử: không ghi gì vào cơ sở dữ liệu."))
