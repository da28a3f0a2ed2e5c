"""The private uploads bucket (MEDIA_S3_BUCKET, config/settings/base.py media_storage)."""
from storages.backends.s3 import S3Storage


class PrivateMediaStorage(S3Storage):
    """Receipts (payments' `sales-evidence/`) are stored with `Content-Disposition: attachment`, so a
    signed link to one (the admin shows it) downloads it instead of letting the browser render it;
    product photos stay viewable in place."""

    download_only_prefixes = ("sales-evidence/",)

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        location = (self.location or "").strip("/")
        relative = name.removeprefix(f"{location}/") if location else name
        if relative.startswith(self.download_only_prefixes):
            params.setdefault("ContentDisposition", "attachment")
        return params
