"""MVP policy: pilot's G3 go (or conditional_go) opens the MVP for that initiative."""

from __future__ import annotations

from events import pilot
from events.mvp import OpenMvp
from services.opening import opens

react = opens(pilot.GateDecided, OpenMvp)
