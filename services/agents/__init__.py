"""The agents service: policies, screened actions, approvals, sponsor and kill switch."""
