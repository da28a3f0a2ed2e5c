"""The officers' upload page for the province's OCOP list. Thin: the form in, importing does the work."""
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from common.exceptions import DomainError

from .importing import import_ocop_list
from .selectors import is_officer


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách OCOP (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Chạy thử: chỉ kiểm tra, không ghi gì"), required=False, initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        return upload


@login_required
def import_upload(request):
    """GET: the form. POST: run the import (or a dry run) and show the report row by row."""
    if not is_officer(request.user):
        raise PermissionDenied
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_ocop_list(
                    file=upload, filename=upload.name, dry_run=form.cleaned_data["dry_run"], user=request.user
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
    else:
        form = ImportForm()
    return render(request, "producers/import.html", {"form": form, "report": report})
