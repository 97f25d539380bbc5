#!/usr/bin/env bash
# Builds target/debian/dateline_<version>_<arch>.deb: the release binary, the man page, the
# bash/zsh/fish completions and the README. Installs cargo-deb first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo deb --version >/dev/null 2>&1 || cargo install cargo-deb --locked
cargo build --release --locked
bin=target/release/dateline
mkdir -p target/assets
"$bin" man | gzip -9n > target/assets/dateline.1.gz
"$bin" completions bash > target/assets/dateline.bash
"$bin" completions zsh > target/assets/_dateline
"$bin" completions fish > target/assets/dateline.fish
cargo deb --no-build
