"""The application layer: what the CLI, the HTTP API, batch and web layers call.

One module per concern (`lists`, `screening`, `trade`); each joins the core
(`types`, `names`, `match`, `trade`) to the edges (`sources`, `store`, `fetch`)
and returns typed results.  Nothing here prints: interfaces render.
"""
