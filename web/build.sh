#!/usr/bin/env bash
# Builds the offline calculator page: the library compiled to WebAssembly, its
# wasm-bindgen glue and the page, in one self-contained file,
# target/web/invitestat.html (open it from disk; it loads nothing).
#
# Needs the wasm32-unknown-unknown target and the wasm-bindgen command of the version
# in web/Cargo.lock; installs both when missing.
# Usage (from the repository root): bash web/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' web/Cargo.lock)
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if ! wasm-bindgen --version 2>/dev/null | grep -q " $version\$"; then
  # Not --locked: its own lockfile may pin dependency versions a registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$version"
fi
cargo build --locked --manifest-path web/Cargo.toml --release --target wasm32-unknown-unknown
out=target/web
mkdir -p "$out/pkg"
wasm-bindgen --target no-modules --no-typescript --out-dir "$out/pkg" \
  web/target/wasm32-unknown-unknown/release/invitestat_web.wasm
python3 - "$out" <<'PY'
import base64, os, sys
out = sys.argv[1]
page = open("web/page.html", encoding="utf-8").read()
glue = open(os.path.join(out, "pkg", "invitestat_web.js"), encoding="utf-8").read()
wasm = base64.b64encode(open(os.path.join(out, "pkg", "invitestat_web_bg.wasm"), "rb").read()).decode()
assert "/*GLUE*/" in page and "/*WASM*/" in page
html = page.replace("/*GLUE*/", glue).replace("/*WASM*/", wasm)
tmp = os.path.join(out, ".invitestat.html.tmp")
with open(tmp, "w", encoding="utf-8") as f:
    f.write(html)
os.replace(tmp, os.path.join(out, "invitestat.html"))
print(f"{out}/invitestat.html: {len(html)} bytes ({len(wasm) * 3 // 4} bytes of WebAssembly)")
PY
