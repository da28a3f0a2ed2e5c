import gc
import threading

from common.memory import cyclic_gc_paused


def test_the_collector_is_paused_inside_and_back_after():
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_after_an_exception_too():
    try:
        with cyclic_gc_paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()


def test_nested_and_overlapping_uses_end_with_the_last_one():
    first_inside, second_entered, first_done = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def second():
        first_inside.wait(5)
        with cyclic_gc_paused():
            second_entered.set()
            first_done.wait(5)
            seen["after_first_left"] = gc.isenabled()

    thread = threading.Thread(target=second)
    thread.start()
    with cyclic_gc_paused():
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # the inner use did not turn it back on
        first_inside.set()
        second_entered.wait(5)
    first_done.set()
    thread.join(5)
    assert seen == {"after_first_left": False}  # still paused for the other job
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off():
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_import_runs_with_the_collector_paused(monkeypatch):
    from producers.importing import ocop_list

    states = []
    monkeypatch.setattr(ocop_list, "_import_ocop_list", lambda **kwargs: states.append(gc.isenabled()))
    ocop_list.import_ocop_list(file=None, filename="x.xlsx")
    assert states == [False] and gc.isenabled()
