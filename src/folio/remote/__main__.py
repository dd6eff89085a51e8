"""``python -m folio.remote`` is ``folio remote``, without loading the server's modules."""

from folio.remote.commands import remote

remote(prog_name="folio remote")
