"""Publishes the tournament platform's events to the tournament-profile integration.

Use `tournament_profile.hooks`: `configure(...)` once, then the eight `on_...` hooks from the
platform's services, and `flush()` from a periodic task.
"""
