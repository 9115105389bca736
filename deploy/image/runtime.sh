#!/usr/bin/env bash
# Makes the images' runtime root (docs/deploy.md, "images"): a jlinked Java runtime from the build's JDK in /opt/java,
# the C libraries it and the daemons' native code (onnxruntime, DJL's tokenizer) need, copied from this Debian machine,
# a non-root user (10001) and /tmp. Jib puts it under every daemon image, on `scratch`: no registry is needed.
#   deploy/image/runtime.sh OUT_DIR        (bin/lakehouse images calls it; skips when OUT_DIR is already this JDK's)
set -euo pipefail
out=${1:?usage: runtime.sh OUT_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/bin/jdk.sh"
version=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
# the native libraries inside the daemons' jars (llama.cpp's libjllama, onnxruntime, DJL's tokenizer, snappy, zstd):
# glibc x86-64 builds only, each jar's list read with the JDK's own jar tool
native_jars=$(for jar in "$root"/*/target/libs/*.jar; do
  [ -f "$jar" ] || continue
  list=$("$JAVA_HOME/bin/jar" tf "$jar" 2>/dev/null | grep -E '\.so(\.[0-9]+)*$' | grep -i linux | grep -iE 'x86_64|amd64|x64' \
    | grep -v musl || true)
  if [ -n "$list" ]; then echo "$jar"; fi
done | sort -u)
stamp="$JAVA_HOME $version $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16) $( (for j in $native_jars; do basename "$j"; done) | sha256sum | cut -c1-16)"
if [ -f "$out/.runtime" ] && [ "$(cat "$out/.runtime")" = "$stamp" ]; then exit 0; fi
rm -rf "$out"; mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/lib64" "$out/lib/x86_64-linux-gnu"
modules=java.se,jdk.unsupported,jdk.incubator.vector,jdk.crypto.ec,jdk.zipfs,jdk.net,jdk.naming.dns,jdk.localedata,jdk.charsets,jdk.management,jdk.jfr,jdk.httpserver
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-6 --output "$out/opt/java"
# every shared library the runtime's ELF files load, plus what native code inside the daemons' jars loads
# (the headless daemons never load AWT's X11 and splash-screen libraries: their X11 dependencies are left out)
libs=$( { find "$out/opt/java" -type f \( -name '*.so' -o -perm -u+x \) ! -name 'libawt_xawt.so' ! -name 'libjawt.so' \
  ! -name 'libsplashscreen.so' -exec ldd {} \; 2>/dev/null || true; } \
  | awk -v skip="$out/" '/=> \// && index($3, skip) != 1 {print $3} /^\t\/lib64/ {print $1}' | sort -u)
# and what those native libraries link, by the linker's own view of each (ldd), not a fixed list: libjllama needs
# libgomp (OpenMP), onnxruntime libstdc++ — a library the build machine lacks stops the runtime here, naming it
natives=$(mktemp -d); trap 'rm -rf "$natives"' EXIT
for jar in $native_jars; do
  d="$natives/$(basename "$jar" .jar)"; mkdir -p "$d"
  entries=$("$JAVA_HOME/bin/jar" tf "$jar" | grep -E '\.so(\.[0-9]+)*$' | grep -i linux | grep -iE 'x86_64|amd64|x64' | grep -v musl)
  (cd "$d" && "$JAVA_HOME/bin/jar" xf "$jar" $entries)
done
# a library its own jar carries (onnxruntime's JNI glue links libonnxruntime.so.1, which the jar holds as libonnxruntime.so
# and loads first) is not the image's to provide
missing=""
for d in "$natives"/*/; do
  for f in $(find "$d" -name '*.so*' -type f); do
    for m in $(LD_LIBRARY_PATH="$d" ldd "$f" 2>/dev/null | awk '/=> not found/ {print $1}'); do
      carried=0
      for own in $(find "$d" -name '*.so*' -type f -printf '%f\n'); do [[ $m == "$own"* ]] && carried=1; done
      [ "$carried" = 1 ] || missing="$missing $m"
    done
    libs="$libs $(LD_LIBRARY_PATH="$d" ldd "$f" 2>/dev/null | awk -v own="$d" '/=> \// && index($3, own) != 1 {print $3}')"
  done
done
if [ -n "$missing" ]; then
  echo "runtime: the daemons' native libraries need libraries this machine does not have:$missing" >&2; exit 1
fi
for extra in libstdc++.so.6 libgcc_s.so.1 libz.so.1 libnss_dns.so.2 libnss_files.so.2 libresolv.so.2; do
  f=$(ldconfig -p | awk -v n="$extra" '$1 == n && /x86-64/ && !found {print $NF; found = 1}')
  [ -n "$f" ] && libs="$libs $f"
done
for l in $(printf '%s\n' $libs | sort -u); do cp -L "$l" "$out/lib/x86_64-linux-gnu/$(basename "$l")"; done
cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/ld-linux-x86-64.so.2"
# java finds libjli through $ORIGIN, which glibc may resolve through /proc: a copy on the library path needs no /proc
cp "$out/opt/java/lib/libjli.so" "$out/lib/x86_64-linux-gnu/libjli.so"
printf 'root:x:0:0:root:/:/sbin/nologin\nlakehouse:x:10001:10001:lakehouse:/tmp:/sbin/nologin\n' > "$out/etc/passwd"
printf 'root:x:0:\nlakehouse:x:10001:\n' > "$out/etc/group"
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
cat > "$out/etc/os-release" <<REL
NAME="Lakehouse runtime"
ID=lakehouse-runtime
VERSION_ID="$version"
JAVA_VERSION="$version"
C_LIBRARIES="copied from $(. /etc/os-release && echo "$PRETTY_NAME") (glibc $(getconf GNU_LIBC_VERSION | cut -d" " -f2))"
REL
echo "$stamp" > "$out/.runtime"
echo "runtime: Java $version ($(du -sh "$out" | cut -f1)) in $out" >&2
