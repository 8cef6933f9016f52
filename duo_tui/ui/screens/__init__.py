"""Screens of the workbench (help, workbench, triage, ...); import each from its module."""
