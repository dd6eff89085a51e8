"""A real OpenLDAP server (Debian's ``slapd``) for the directory tests: a generated
slapd.conf in a temporary directory, the current user, a free loopback port, and an LDIF of a
few people and groups. ``Slapd.modify`` changes the directory while the tests run."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SLAPD = Path("/usr/sbin/slapd")
SUFFIX = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "admin-secret"
SERVICE_DN = f"cn=folio,{SUFFIX}"
SERVICE_PASSWORD = "service-secret"
PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw", "dave": "dave-pw"}

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {root}/slapd.pid
TLSCACertificateFile {root}/ca.pem
TLSCertificateFile {root}/server.pem
TLSCertificateKeyFile {root}/server.key
sizelimit unlimited
access to attrs=userPassword
  by self read
  by anonymous auth
  by * none
access to *
  by dn.exact="{service}" read
  by users read
  by * none
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{rootdn}"
rootpw {rootpw}
directory {root}/db
"""


def person(uid: str, name: str, email: str) -> str:
    return (
        f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
        f"cn: {name}\nsn: {name.split()[-1]}\nmail: {email}\nuserPassword: {PASSWORDS[uid]}\n"
    )


def group(cn: str, members: list[str]) -> str:
    lines = "".join(f"member: uid={m},ou=people,{SUFFIX}\n" for m in members)
    return f"dn: cn={cn},ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: {cn}\n{lines}"


SEED = "\n".join(
    [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Ex\n",
        f"dn: {SERVICE_DN}\nobjectClass: person\ncn: folio\nsn: folio\n"
        f"userPassword: {SERVICE_PASSWORD}\n",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n",
        person("alice", "Alice Archer", "alice@example.org"),
        person("bob", "Bob Baker", "bob@example.org"),
        person("carol", "Carol Cole", "carol@example.org"),
        person("dave", "Dave Dunn", "dave@example.org"),
        group("folio-admins", ["alice"]),
        group("folio-users", ["bob", "carol"]),
    ]
)


@dataclass
class Slapd:
    url: str  # ldap://127.0.0.1:port
    root: Path
    tls_port: int  # ldaps://localhost:tls_port; StartTLS on ldap://localhost:port
    ca_pem: str  # the CA that signed the server's certificate (for localhost)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def ldif(self, tool: str, text: str) -> None:
        subprocess.run(
            [tool, "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD],
            input=text.encode(),
            check=True,
            capture_output=True,
            timeout=30,
        )

    def modify(self, text: str) -> None:
        self.ldif("ldapmodify", text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"slapd exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("slapd did not start listening")


def write_certificates(root: Path) -> str:
    """A CA and a certificate for ``localhost`` signed by it; returns the CA's PEM."""
    now = datetime.now(UTC)

    def certificate(
        subject: str,
        key: ec.EllipticCurvePrivateKey,
        issuer: x509.Name | None,
        signer: ec.EllipticCurvePrivateKey,
        ca: bool,
    ) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            names = [x509.DNSName("localhost")]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = certificate("Folio test CA", ca_key, None, ca_key, True)
    server = certificate("localhost", server_key, ca.subject, ca_key, False)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM).decode()
    (root / "ca.pem").write_text(ca_pem)
    (root / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (root / "server.key").write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_pem


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    if not SLAPD.exists() or shutil.which("ldapadd") is None:
        pytest.fail("slapd and ldap-utils are needed: scripts/install-system-deps.sh")
    root = tmp_path_factory.mktemp("slapd")
    (root / "db").mkdir()
    conf = root / "slapd.conf"
    conf.write_text(
        CONFIG.format(
            root=root, suffix=SUFFIX, rootdn=ROOT_DN, rootpw=ROOT_PASSWORD, service=SERVICE_DN
        )
    )
    ca_pem = write_certificates(root)
    port, tls_port = free_port(), free_port()
    url = f"ldap://127.0.0.1:{port}"
    listen = f"{url} ldaps://127.0.0.1:{tls_port}"
    # -d 0 keeps it in the foreground (so the fixture owns the process) and quiet
    process = subprocess.Popen(
        [str(SLAPD), "-f", str(conf), "-h", listen, "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_listening(port, process)
        wait_listening(tls_port, process)
        server = Slapd(url, root, tls_port, ca_pem)
        server.ldif("ldapadd", SEED)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
