/**
 * The device probe: one POSIX sh script (dash, bash, busybox ash), one round trip. It never contains user
 * values: the deploy root arrives as `$1` and the section tag as `$2` (see `exec({ script, args })`), so a
 * root like `/x/a b'c$(touch y);d` is only ever a quoted parameter expansion.
 *
 * Output: sections, each introduced by a line `@@<tag>:<name>@@` preceded by a newline, so a section's text
 * is exactly what its command printed (plus at most that newline). The tag is random per run, so no file
 * content can fake a section boundary.
 */
/** Shell parameter expansion `${expr}`, which a JS template literal cannot contain verbatim. */
const pe = (expr: string): string => '$' + '{' + expr + '}';

export const probeScript = String.raw`# edgefleet device probe
root=$1
tag=$2
sec() { printf '\n@@%s:%s@@\n' "$tag" "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }
LC_ALL=C
export LC_ALL

sec begin
printf '1'
sec hostname
hostname 2>/dev/null || uname -n
sec os-release
cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
sec uname
uname -srm
sec long-bit
getconf LONG_BIT 2>/dev/null
sec nproc
nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null
sec cpuinfo
cat /proc/cpuinfo 2>/dev/null
sec board
if [ -r /proc/device-tree/model ]; then tr -d '\000' < /proc/device-tree/model; fi
sec meminfo
cat /proc/meminfo 2>/dev/null

sec deploy-root
printf '%s' "$root"
sec root-exists
if [ -d "$root" ]; then printf yes; else printf no; fi
# df needs an existing path: walk up to the nearest existing ancestor (the root is created at deploy).
d=$root
while [ ! -e "$d" ] && [ "$d" != / ] && [ "$d" != . ]; do d=$(dirname "$d"); done
sec disk-path
printf '%s' "$d"
sec df
df -Pk "$d" 2>/dev/null

# Importing onnxruntime (or starting trtexec) can hang on a broken install; GNU/busybox timeout syntax differs, so test it.
to=
if have timeout && timeout 30 true 2>/dev/null; then to='timeout 30'; fi
sec python
have python3 && python3 --version 2>&1
sec onnxruntime
if have python3; then
  $to python3 -c 'import onnxruntime as o; print(o.__version__); print(",".join(o.get_available_providers()))' 2>/dev/null
fi
sec node
have node && node --version 2>/dev/null
sec perf-test
command -v onnxruntime_perf_test 2>/dev/null
# Where the app says to install it for Node (npm install --prefix <root>/runtime onnxruntime-node).
sec ort-node
f=$root/runtime/node_modules/onnxruntime-node/package.json
if [ -r "$f" ]; then sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$f" | head -n 1; fi

# TensorRT: trtexec on PATH, else where JetPack installs it. Its banner line names the version:
# "&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec --help".
trt=$(command -v trtexec 2>/dev/null)
if [ -z "$trt" ] && [ -x /usr/src/tensorrt/bin/trtexec ]; then trt=/usr/src/tensorrt/bin/trtexec; fi
sec trtexec
printf '%s' "$trt"
if [ -n "$trt" ]; then
  sec trtexec-banner
  $to "$trt" --help 2>&1 | head -n 5
  # libnvinfer: lib/ beside bin/ (the TensorRT tar), the multiarch dirs (JetPack, .deb), CUDA's lib64.
  sec libnvinfer
  for f in "${pe('trt%/*')}"/../lib/libnvinfer.so.* /usr/lib/*-linux-gnu/libnvinfer.so.* /usr/lib/libnvinfer.so.* /usr/local/cuda/lib64/libnvinfer.so.*; do
    if [ -e "$f" ]; then printf '%s\n' "${pe('f##*/')}"; fi
  done
  # Accelerators as device nodes: discrete GPUs, the Jetson integrated GPU, DLA cores (Xavier, Orin).
  sec accelerators
  for f in /dev/nvidia[0-9]* /dev/nvhost-gpu /dev/nvgpu/igpu0 /dev/nvhost-nvdla[0-9]* /dev/nvhost-ctrl-nvdla[0-9]*; do
    if [ -e "$f" ]; then printf '%s\n' "$f"; fi
  done
fi

# What this device runs: <root>/<model>/current/manifest.json (line 1 model, line 2 link target, then JSON).
nl='
'
for f in "$root"/*/current/manifest.json; do
  [ -f "$f" ] || continue
  name=${pe('f%/current/manifest.json')}
  name=${pe('name##*/')}
  case $name in *"$nl"*) continue ;; esac
  sec manifest
  printf '%s\n' "$name"
  readlink "$root/$name/current" 2>/dev/null | tr '\n' ' '
  printf '\n'
  head -c 1048576 "$f"
done
sec end
`;
