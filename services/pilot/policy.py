"""pilot policy: poc's G2 go (or conditional_go) opens the pilot for that initiative."""

from __future__ import annotations

from events import poc
from events.pilot import OpenPilot
from services.opening import opens

react = opens(poc.GateDecided, OpenPilot)
