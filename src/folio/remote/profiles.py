"""The remote CLI's profiles: which server, and the credential that reaches it.

One JSON file, ``$XDG_CONFIG_HOME/folio/profiles.json`` (``~/.config/folio/`` when the variable
is unset), readable by its owner only (0600, in a 0700 directory): it holds secrets. The stored
credential is an API key or the refresh token of a session; a password is never stored. Every
write goes to a new file that replaces the old one, so a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FILE_MODE = 0o600
DIR_MODE = 0o700
DEFAULT = "default"


class ProfileError(Exception):
    """No such profile, or the file cannot be used."""


@dataclass
class Profile:
    url: str
    api_key: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    email: str | None = None
    team_id: str | None = None
    # a session's current access token and when it expires (Unix seconds), shared by the
    # commands that run at the same time: only one of them refreshes (see ``session_lock``)
    access_token: str | None = field(default=None, repr=False)
    access_expires_at: float | None = None

    @property
    def credential_kind(self) -> str:
        return "api key" if self.api_key else "session"

    def public(self, name: str, current: str | None) -> dict[str, Any]:
        """What may be shown: everything but the secret."""
        return {
            "name": name,
            "url": self.url,
            "credential": self.credential_kind,
            "email": self.email,
            "team_id": self.team_id,
            "current": name == current,
        }


@dataclass
class Profiles:
    current: str | None = None
    entries: dict[str, Profile] = field(default_factory=dict)

    def resolve(self, name: str | None) -> tuple[str, Profile]:
        """The named profile, else the current one."""
        chosen = name or self.current
        if chosen is None or chosen not in self.entries:
            known = ", ".join(sorted(self.entries)) or "none"
            wanted = f"profile {chosen!r}" if chosen else "a current profile"
            raise ProfileError(f"no {wanted} (profiles: {known}); run: folio remote login")
        return chosen, self.entries[chosen]


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "folio"


def profiles_path() -> Path:
    return config_dir() / "profiles.json"


@contextlib.contextmanager
def session_lock() -> Iterator[None]:
    """Held while a command reads, refreshes and writes back a session's tokens. A refresh
    token is rotated on use and reusing an old one ends the session, so two commands started
    together must not both refresh: the second waits and takes the tokens the first stored."""
    directory = config_dir()
    directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    handle = os.open(directory / ".session.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def load() -> Profiles:
    path = profiles_path()
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return Profiles()
    except (OSError, ValueError) as error:
        raise ProfileError(f"{path} cannot be read: {error}") from error
    try:
        entries = {name: Profile(**entry) for name, entry in raw.get("profiles", {}).items()}
    except TypeError as error:
        raise ProfileError(f"{path} has an entry this version does not know: {error}") from error
    return Profiles(current=raw.get("current"), entries=entries)


def save(profiles: Profiles) -> Path:
    """Writes the file (0600) atomically; returns its path."""
    path = profiles_path()
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    body = {
        "current": profiles.current,
        "profiles": {name: _stored(entry) for name, entry in sorted(profiles.entries.items())},
    }
    # mkstemp creates the file 0600 from the start: the secret is never readable by others
    handle, temporary = tempfile.mkstemp(prefix=".profiles-", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as file:
            json.dump(body, file, indent=2)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _stored(profile: Profile) -> dict[str, Any]:
    return {key: value for key, value in asdict(profile).items() if value is not None}
