#!/usr/bin/env bash
# Installs what the lobby needs on a Debian 12 machine: the Debian packages (only those
# missing; root or sudo), then the Python environment in .venv/ (again only when
# pyproject.toml changed since the last install).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  mosquitto mosquitto-clients          # the broker, and its clients for manual checks
  espeak-ng                            # speech synthesis behind pyttsx3
  alsa-utils                           # aplay: the kiosk's and board's sound
  zbar-tools                           # zbarimg: the tests decode printed QR codes
  socat                                # pty pairs for the serial tests and benchmarks
  libgl1 libgl1-mesa-dri libegl1 libegl-mesa0 libmtdev1   # Kivy offscreen rendering
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0     # WeasyPrint: the console's PDFs
  chromium                             # the console's tests run in a real browser
  poppler-utils                        # pdftotext: the tests read the daily PDF
)
python3 -c "import ensurepip" 2>/dev/null || DEBIAN_PACKAGES+=(python3-venv)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing the Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[all,dev]'
  touch "$stamp"
fi
