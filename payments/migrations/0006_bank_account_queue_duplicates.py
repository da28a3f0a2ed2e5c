"""Issue 12: one active (bank, account number) per producer. Where several producers already hold the
same active account, the oldest keeps it; the others go to the officers' queue (and stop being the
default, their producer's next approved account taking over), before 0007 adds the constraint."""
from django.db import migrations
from django.db.models import Count

REASON = "Số tài khoản này đã thuộc một chủ thể khác (có từ trước khi kiểm tra trùng)."


def queue_duplicates(apps, schema_editor):
    BankAccount = apps.get_model("payments", "BankAccount")
    active = BankAccount.objects.filter(is_active=True, review_status="approved")
    taken = active.values("bank_id", "account_number").annotate(n=Count("id")).filter(n__gt=1)
    for row in taken:
        holders = list(active.filter(bank_id=row["bank_id"], account_number=row["account_number"])
                       .order_by("created_at", "id"))
        for account in holders[1:]:
            was_default = account.is_default
            account.review_status, account.review_reason, account.is_default = "pending", REASON, False
            account.save(update_fields=["review_status", "review_reason", "is_default"])
            if was_default:
                successor = (BankAccount.objects.filter(producer_id=account.producer_id, is_active=True,
                                                        review_status="approved")
                             .exclude(pk=account.pk).order_by("created_at", "id").first())
                if successor is not None:
                    successor.is_default = True
                    successor.save(update_fields=["is_default"])


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0005_bank_account_review"),
    ]

    operations = [
        migrations.RunPython(queue_duplicates, migrations.RunPython.noop),
    ]
