"""Widgets of the team view: the inbox and the reading panes."""
