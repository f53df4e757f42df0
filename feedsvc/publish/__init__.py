"""A public path → its rendered document: the Publisher, archives (RFC 5005), photos served from the
store, and the rules of the big feed consumers (`check --targets`).

Decides what each document shows and when it changes; the only layer that joins a store snapshot to
the renderers. May import `store`, `render`, `model`, `paths` and `config`; never the doors.
"""
