"""The rebuild's filter of ids it may have applied: never a false "new", few false "maybe"."""

from __future__ import annotations

import uuid

from services.projection.seen import Seen


def test_every_id_added_before_comes_back_as_maybe_and_a_repeat_within_one_call_too():
    seen = Seen(1000)
    first = [str(uuid.uuid4()) for _ in range(1000)]
    assert len(seen.add(first)) < 10, "new ids are nearly all ruled out"
    again = first[::7]
    assert seen.add([*again, "x", "x"])[: len(again)] == again
    assert seen.add(["x"]) == ["x"]


def test_false_maybes_stay_rare_when_sized_for_the_ids_and_never_hide_a_repeat_when_full():
    sized = Seen(20_000)
    sized.add(str(uuid.uuid4()) for _ in range(20_000))
    new = [str(uuid.uuid4()) for _ in range(20_000)]
    assert len(sized.add(new)) < 20_000 * 0.01  # about 0.4 % by design

    tiny = Seen(1)  # 32 bits for 1,000 ids: nearly everything is "maybe", nothing is lost
    ids = [str(uuid.uuid4()) for _ in range(1000)]
    tiny.add(ids)
    assert tiny.add(ids) == ids
