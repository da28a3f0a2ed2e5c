#!/usr/bin/env bash
# Restore a backup made by backup.sh into the database at TARGET_DATABASE_URL (which must exist and
# be empty) and, when TARGET_MEDIA_ROOT is set, the media into that folder. Checks the checksums first.
# Usage: TARGET_DATABASE_URL=postgres://... [TARGET_MEDIA_ROOT=/path] deploy/restore.sh BACKUP_FOLDER
set -euo pipefail
source_dir=${1:?usage: restore.sh BACKUP_FOLDER}
: "${TARGET_DATABASE_URL:?TARGET_DATABASE_URL is required}"
(cd "$source_dir" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --exit-on-error --dbname "$TARGET_DATABASE_URL" "$source_dir/database.dump"
if [ -n "${TARGET_MEDIA_ROOT:-}" ] && [ -f "$source_dir/media.tar.gz" ]; then
  mkdir -p "$TARGET_MEDIA_ROOT"
  tar -C "$TARGET_MEDIA_ROOT" -xzf "$source_dir/media.tar.gz"
fi
echo "restored $source_dir"
