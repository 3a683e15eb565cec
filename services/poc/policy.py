"""PoC policy: ideation's G1 go (or conditional_go) opens the PoC for that initiative."""

from __future__ import annotations

from events import ideation
from events.poc import OpenPoc
from services.opening import opens

react = opens(ideation.GateDecided, OpenPoc)
