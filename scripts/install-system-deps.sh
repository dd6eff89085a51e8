#!/usr/bin/env bash
# Debian packages Folio needs beyond its Python wheels: libmagic for file-type sniffing,
# redis-server for the tests of the scale-out storage, Chromium and npm for the web app.
# (Tesseract, PDFium, qpdf and ONNX Runtime come inside their wheels; OCR data from PyPI.)
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libmagic.so.1' || missing+=(libmagic1)
[ -e /usr/lib/file/magic.mgc ] || [ -e /usr/share/misc/magic.mgc ] || missing+=(libmagic-mgc)
# the rate-limit tests run a real Redis server for the scale-out storage
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# the documentation's shell examples (docs/examples, run by tests/docs) use curl and jq
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v jq >/dev/null 2>&1 || missing+=(jq)
# the web app's browser tests (tests/web) drive Debian's Chromium through Playwright; npm installs its assets
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# the LDAP directory tests (tests/directory) start a real OpenLDAP server and load it with ldapadd
[ -x /usr/sbin/slapd ] || missing+=(slapd)
command -v ldapadd >/dev/null 2>&1 || missing+=(ldap-utils)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
