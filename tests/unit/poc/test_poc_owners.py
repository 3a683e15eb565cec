"""PoC: the owner and team arrive with the G1 handoff; an owner acts only on their own
initiatives; ownership is handed over in the PoC's own stream."""

from __future__ import annotations

from events import gates, poc
from events.base import Actor
from events.errors import Forbidden, NotFound
from events.gates import Handoff
from services.poc import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AT,
    CHAIR,
    CONDITION,
    CONTRIBUTOR,
    ID,
    OTHER_OWNER,
    OWNER,
    TEAM_OWNER,
    poc_opened,
)
from tests.unit.owners import OTTO, hand_over, handed_over

G2 = poc.GATE


def source(actor: Actor) -> poc.ConfirmDataSource:
    return poc.ConfirmDataSource(initiative_id=ID, at=AT, actor=actor, source_id="s", name="CRM")


def confirmed() -> poc.DataSourceConfirmed:
    return poc.DataSourceConfirmed(initiative_id=ID, at=AT, source_id="s", name="CRM")


def fulfil(actor: Actor) -> gates.FulfilCondition:
    return gates.FulfilCondition(initiative_id=ID, at=AT, actor=actor, condition_id="c-1")


def test_the_owner_records_poc_work() -> None:
    given(decider, poc_opened()).when(source(OWNER)).then(confirmed())


def test_an_owner_on_the_team_records_poc_work() -> None:
    given(decider, poc_opened()).when(source(TEAM_OWNER)).then(confirmed())


def test_an_owner_may_not_record_work_on_someone_elses_poc() -> None:
    given(decider, poc_opened()).when(source(OTHER_OWNER)).refused(Forbidden, "record poc work")


def test_a_contributor_records_work_on_every_poc() -> None:
    given(decider, poc_opened()).when(source(CONTRIBUTOR)).then(confirmed())


def test_an_owner_may_not_fulfil_a_condition_of_someone_elses_initiative() -> None:
    refused = given(decider, poc_opened(CONDITION)).when(fulfil(OTHER_OWNER)).refused(Forbidden)
    assert "mark its conditions fulfilled" in refused.detail


def test_the_committee_fulfils_conditions_of_every_initiative() -> None:
    given(decider, poc_opened(CONDITION)).when(fulfil(CHAIR)).then(
        G2.condition_fulfilled(initiative_id=ID, at=AT, condition_id="c-1", fulfilled_by="cara")
    )


def test_a_poc_opened_by_a_handoff_without_accounts_is_no_owner_roles_own() -> None:
    legacy = Handoff(title="Old", owner="olga", sponsor="Sam")
    opened = [poc.PocOpened(initiative_id=ID, at=AT, handoff=legacy)]
    given(decider, opened).when(source(OWNER)).refused(Forbidden, "owned by olga \\(no account\\)")


def test_ownership_is_handed_over_in_the_poc() -> None:
    given(decider, poc_opened()).when(hand_over(CHAIR)).then(handed_over(G2, CHAIR))


def test_after_a_handover_in_the_poc_the_new_owner_acts_and_the_old_one_may_not() -> None:
    history = [*poc_opened(), handed_over(G2, OWNER, OTTO)]
    given(decider, history).when(source(OTHER_OWNER)).then(confirmed())
    given(decider, history).when(source(OWNER)).refused(Forbidden, "owned by otto")


def test_a_poc_not_opened_yet_records_no_handover() -> None:
    given(decider).when(hand_over(CHAIR)).refused(NotFound, "not open yet")
