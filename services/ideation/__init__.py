"""Ideation service: ideas are proposed, refined, workshopped, scored and classified (G1)."""
