"""The Textual front end: ``searchkit`` with no arguments, or ``searchkit tui [QUERY]``.

The entry point is ``searchkit.tui.app.run_app``.
"""
