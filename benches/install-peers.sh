# shellcheck shell=bash
# Installing the peer engines, for the scripts of benches/ that run them (compare.sh,
# relevance.sh). Source it after defining `log MESSAGE...` (progress to stderr). Idempotent:
# each function installs only what is missing.
#
#   apt_install PACKAGE...     Debian packages not installed yet (apt-get update once, sudo when not root)
#   have_tantivy               true when `tantivy` on PATH is tantivy-cli 0.24
#   install_tantivy LOGFILE    builds tantivy-cli 0.24.0 with cargo (minutes); its output to LOGFILE
#   find_python_xapian         prints a python3 that can `import xapian` (false when none can)

SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
APT_UPDATED=0
deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
apt_install() { # PACKAGE...: installs those not installed yet
  local missing=() p
  command -v apt-get >/dev/null || return 1
  for p in "$@"; do deb_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    "${SUDO[@]}" apt-get update -qq >&2 || return 1
    APT_UPDATED=1
  fi
  log "apt-get install -y ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

have_tantivy() { command -v tantivy >/dev/null && tantivy --version 2>/dev/null | grep -q ' 0\.24\.'; }
install_tantivy() { # LOGFILE
  # tantivy-cli 0.24.0's own lock pins traitobject 0.1.0, which no longer compiles (E0119):
  # take the published source from the registry cache, move traitobject to 0.1.1, keep the rest.
  local logfile=$1 tmp crate
  tmp=$(mktemp -d)
  mkdir -p "$tmp/fetch/src"
  printf '[package]\nname = "fetch-tantivy-cli"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\ntantivy-cli = "=0.24.0"\n' \
    >"$tmp/fetch/Cargo.toml"
  : >"$tmp/fetch/src/lib.rs"
  log "tantivy-cli 0.24.0: fetching its source with cargo fetch"
  (cd "$tmp/fetch" && cargo fetch -q) >&2 || { rm -rf "$tmp"; return 1; }
  crate=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name 'tantivy-cli-0.24.0.crate' | head -n1)
  [ -n "$crate" ] || { rm -rf "$tmp"; return 1; }
  tar -xzf "$crate" -C "$tmp"
  log "tantivy-cli 0.24.0: cargo update -p traitobject --precise 0.1.1; cargo install --path . --locked (minutes)"
  if (cd "$tmp/tantivy-cli-0.24.0" && cargo update -p traitobject --precise 0.1.1 \
      && cargo install --path . --locked) >"$logfile" 2>&1; then
    rm -rf "$tmp"
  else
    tail -n 20 "$logfile" >&2; rm -rf "$tmp"; return 1
  fi
}

find_python_xapian() { # the Debian python3 first: python3-xapian installs into it, not into a pyenv one
  local py
  for py in /usr/bin/python3 python3; do
    if "$py" -c 'import xapian' 2>/dev/null; then printf '%s\n' "$py"; return 0; fi
  done
  return 1
}
