"""Without a broker the web process processes each event right after storing it. A transient lock
held by another writer must not leave the event `received`: it is tried again."""
import threading

import pytest
from django.db import connection, connections, transaction

from payments.models import InboundEvent, Transaction
from payments.tasks import process_inbound_event

from .conftest import load, raw


def _hold_write_lock(seconds, locked):
    """Another connection (another thread) writing for `seconds`, as a concurrent request would."""
    try:
        with transaction.atomic():
            InboundEvent.objects.filter(pk=-1).update(note="")
            InboundEvent.objects.create(provider="tiki", body="{}", dedup_key="lock-holder")
            locked.set()
            threading.Event().wait(seconds)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_an_event_met_by_a_lock_is_processed_once_the_lock_is_gone(static_code, settings):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL waits for row locks instead of refusing: nothing transient to retry")
    # given a stored event and another writer holding the database for a moment
    event = InboundEvent.objects.create(provider="sepay", body=raw(load("sepay_in.json")).decode(),
                                        dedup_key="92704")
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(0.6, locked))
    holder.start()
    assert locked.wait(5)
    try:
        # when the web process runs its task eagerly
        state = process_inbound_event.delay(event.pk).get()
    finally:
        holder.join()
    # then it waited its turn and the event is done, not left `received`
    assert state == "matched"
    assert InboundEvent.objects.get(pk=event.pk).state == InboundEvent.State.MATCHED
    assert Transaction.objects.count() == 1
