#!/usr/bin/env bash
# Debian packages Folio needs beyond its Python wheels: libmagic for file-type sniffing.
# (Tesseract, PDFium, qpdf and ONNX Runtime come inside their wheels; OCR data from PyPI.)
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libmagic.so.1' || missing+=(libmagic1)
[ -e /usr/lib/file/magic.mgc ] || [ -e /usr/share/misc/magic.mgc ] || missing+=(libmagic-mgc)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
