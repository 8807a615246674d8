"""Mock interviews: session flow, follow-up choice, scorecards and SQLite persistence."""

from simulator.interview.scorecard import Scorecard
from simulator.interview.session import Interview
from simulator.interview.storage import SessionRow, SessionStore, Turn

__all__ = ["Interview", "Scorecard", "SessionRow", "SessionStore", "Turn"]
