"""Rendering for the interfaces: what the CLI (and later the web pages) show.

One module per concern (`lists`, `screening`, `trade`).  List data and user
input are always shown as inert text (`corridor.types.text.inert`), never as
markup: see `safe`.
"""
