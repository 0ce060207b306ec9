"""The kinds of connection behind the seam (``app.seam``): the registry that opens a
saved connection with its kind, the API kind, and telling a deployment without the API
apart (``app.kinds.detect``)."""
