#!/usr/bin/env bash
# Back up the database (pg_dump custom format) and the media folder into $BACKUP_DIR/<timestamp>/,
# then keep the newest $BACKUP_KEEP (default 14). Reads DATABASE_URL and MEDIA_ROOT.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is required}"
: "${BACKUP_DIR:?BACKUP_DIR is required}"
MEDIA_ROOT=${MEDIA_ROOT:-}
keep=${BACKUP_KEEP:-14}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/$stamp"
mkdir -p "$target"
pg_dump --format=custom --no-owner --file "$target/database.dump" "$DATABASE_URL"
if [ -n "$MEDIA_ROOT" ] && [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$target/media.tar.gz" .
fi
(cd "$target" && sha256sum ./* > SHA256SUMS)
ls -1d "$BACKUP_DIR"/*/ 2>/dev/null | sort | head -n -"$keep" | xargs -r rm -rf
echo "$target"
