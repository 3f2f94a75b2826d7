#!/usr/bin/env bash
# clinfer as a packager and a user get it: `cmake --install` to a prefix, then examples/c built against it through
# pkg-config and through find_package, and against the source tree through add_subdirectory; the shared library
# exports clinfer_* symbols only; the man page and the bash completion are in place. Usage: install.sh BUILD_DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "install: FAIL: $*" >&2; exit 1; }
cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
p=$tmp/prefix
lib=$(ls -d "$p"/lib*/ | head -1)
for f in bin/clinfer include/clinfer.h share/bash-completion/completions/clinfer share/man/man1/clinfer.1; do
  [ -e "$p/$f" ] || fail "$f is not installed"
done
for f in libclinfer.so libclinfer.a pkgconfig/clinfer.pc cmake/clinfer/clinferConfig.cmake cmake/clinfer/clinferConfigVersion.cmake; do
  [ -e "$lib/$f" ] || fail "$lib$f is not installed"
done
readlink "$lib/libclinfer.so" | grep -q "libclinfer.so.0" || fail "libclinfer.so has no soname link"
others=$(nm -D --defined-only "$lib/libclinfer.so" | awk '{print $3}' | grep -v '^clinfer_' || true)
[ -z "$others" ] || fail "libclinfer.so exports more than clinfer_*: $(head -5 <<<"$others")"
others=$(nm --defined-only -g "$lib/libclinfer.a" 2>/dev/null | awk 'NF == 3 {print $3}' | grep -v '^clinfer_' || true)
[ -z "$others" ] || fail "libclinfer.a has global symbols besides clinfer_*: $(head -5 <<<"$others")"
check_app() { # check_app BINARY: the example runs the seed model on ref
  local out
  out=$(cd "$src" && LD_LIBRARY_PATH="$lib" "$1" examples/seed.py ref) || fail "$1 failed: $out"
  grep -q "Total params: 9,494,561" <<<"$out" || fail "$1: no summary: $out"
  grep -q "^on ref" <<<"$out" || fail "$1: no outputs: $out"
}
# pkg-config
PKG_CONFIG_PATH="$lib/pkgconfig" pkg-config --exists clinfer || fail "pkg-config does not find clinfer"
cc -std=c11 -Wall -Werror "$src/examples/c/classify.c" $(PKG_CONFIG_PATH="$lib/pkgconfig" pkg-config --cflags --libs clinfer) \
  -o "$tmp/classify-pc"
check_app "$tmp/classify-pc"
echo "install: pkg-config: ok"
# find_package
cmake -S "$src/examples/c" -B "$tmp/fp" -DCMAKE_PREFIX_PATH="$p" > "$tmp/fp.log" || { cat "$tmp/fp.log"; fail "find_package: configure"; }
cmake --build "$tmp/fp" > "$tmp/fp-build.log" || { cat "$tmp/fp-build.log"; fail "find_package: build"; }
check_app "$tmp/fp/classify"
# the static library, through find_package's clinfer::static (its internals local: no clash with a program's own)
mkdir -p "$tmp/static"
cat > "$tmp/static/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.16)
project(static_example C)
find_package(clinfer 0.2 REQUIRED)
add_executable(classify $src/examples/c/classify.c)
target_link_libraries(classify PRIVATE clinfer::static)
CM
cmake -S "$tmp/static" -B "$tmp/static/b" -DCMAKE_PREFIX_PATH="$p" > "$tmp/st.log" || { cat "$tmp/st.log"; fail "static: configure"; }
cmake --build "$tmp/static/b" > "$tmp/st-build.log" || { cat "$tmp/st-build.log"; fail "static: build"; }
ldd "$tmp/static/b/classify" | grep -q libclinfer && fail "the static example links libclinfer.so"
check_app "$tmp/static/b/classify"
echo "install: find_package: ok (shared and static)"
# add_subdirectory (what FetchContent does) of the source tree, with the tests off as a sub-project has them
cmake -S "$src/examples/c" -B "$tmp/sub" -DCLINFER_SOURCE="$src" > "$tmp/sub.log" || { cat "$tmp/sub.log"; fail "add_subdirectory: configure"; }
cmake --build "$tmp/sub" -j"$(nproc)" --target classify > "$tmp/sub-build.log" || { tail -20 "$tmp/sub-build.log"; fail "add_subdirectory: build"; }
check_app "$tmp/sub/classify"
echo "install: add_subdirectory: ok"
# the ref-only build needs no OpenCL: the library and the command build, summary works, a device says why not
cmake -S "$src" -B "$tmp/noocl" -DCLINFER_OPENCL=OFF -DCLINFER_TESTS=OFF > "$tmp/noocl.log" || { cat "$tmp/noocl.log"; fail "CLINFER_OPENCL=OFF: configure"; }
cmake --build "$tmp/noocl" -j"$(nproc)" --target clinfer > "$tmp/noocl-build.log" || { tail -20 "$tmp/noocl-build.log"; fail "CLINFER_OPENCL=OFF: build"; }
nm "$tmp/noocl/clinfer" | grep -q " U clGetPlatformIDs" && fail "CLINFER_OPENCL=OFF still links OpenCL"
(cd "$src" && "$tmp/noocl/clinfer" summary examples/seed.py | grep -q "Total params: 9,494,561") || fail "ref-only summary"
out=$(cd "$src" && "$tmp/noocl/clinfer" run examples/seed.py -o "$tmp/y.npy" 2>&1) && fail "ref-only run on opencl succeeded"
grep -q "built without OpenCL" <<<"$out" || fail "ref-only: $out"
(cd "$src" && "$tmp/noocl/clinfer" run examples/seed.py -o "$tmp/y.npy" --device ref) || fail "ref-only run on ref"
echo "install: CLINFER_OPENCL=OFF: ok"
echo "install: all passed"
