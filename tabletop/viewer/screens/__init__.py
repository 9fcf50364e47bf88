"""Screens of the team view."""
