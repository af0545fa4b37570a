/**
 * The POSIX sh scripts a deploy runs on a device (dash, bash, busybox ash). They never contain user
 * values: paths, release names and hashes arrive as `$1`, `$2`… through `exec({ script, args })`, so a deploy
 * root like `/x/a b'c$(touch y);d` is only ever a quoted parameter expansion. Each script prints
 * `key=value` lines; a failure prints a sentence on stderr and exits with one of `exitCodes`.
 */

/** Shell parameter expansion `${expr}`, which a JS template literal cannot contain verbatim. */
const pe = (expr: string): string => '$' + '{' + expr + '}';

export const exitCodes = {
  cannotWrite: 20,
  noHasher: 21,
  noMoveT: 22,
  uploadMissing: 30,
  checksumMismatch: 31,
  hashFailed: 32,
  nothingToInstall: 40,
  cannotMove: 41,
  cannotWriteManifest: 42,
  releaseMissing: 50,
  undoRefused: 51,
  cannotWriteUndo: 52,
  currentNotLink: 53,
  cannotLink: 54,
  noPrevious: 60,
  lockFailed: 70,
} as const;

export const prelude = String.raw`set -u
LC_ALL=C
export LC_ALL
nl='
'
fail() { code=$1; shift; printf '%s\n' "$*" >&2; exit "$code"; }
# sha256_of <file>: sets h to its sha256, read on stdin so no file name can look like an option or be escaped
# in the output. openssl first: it uses the CPU's SHA instructions, 3-4x faster than coreutils' sha256sum.
# A tool whose answer is not 64 hex digits (broken, FIPS-restricted) is skipped. 127: no tool at all.
# One program run per tool tried, no pipe: every fork and exec costs a small device more than the hashing.
sha256_of() {
  found=127
  for tool in openssl sha256sum shasum; do
    command -v "$tool" >/dev/null 2>&1 || continue
    found=1
    case $tool in
      openssl) h=$(openssl dgst -sha256 < "$1" 2>/dev/null); h=${pe('h##* ')} ;;
      sha256sum) h=$(sha256sum < "$1" 2>/dev/null); h=${pe('h%% *')} ;;
      *) h=$(shasum -a 256 < "$1" 2>/dev/null); h=${pe('h%% *')} ;;
    esac
    case $h in *[!0-9a-f]*) continue ;; esac
    if [ ${pe('#h')} -eq 64 ]; then return 0; fi
  done
  h=
  return "$found"
}
# hash_file <file>: prints what sha256_of finds.
hash_file() {
  sha256_of "$1" || return
  printf '%s\n' "$h"
}
# file_sig <file>: sets sig to its size, mtime and ctime to the nanosecond, inode, device. Every write, rename
# or chmod moves ctime, which no one can set back: an unchanged signature means the bytes are unchanged since
# it was taken (git's index works the same way). Only nanosecond output counts (GNU stat); without it
# (BusyBox) there is no signature and the file is hashed every time.
file_sig() {
  sig=$(stat -c '%s %.9Y %.9Z %i %d' -- "$1" 2>/dev/null) || { sig=; return 1; }
  case $sig in *[!0-9.' ']*) sig=; return 1 ;; *.*.*) return 0 ;; *) sig=; return 1 ;; esac
}
# cached_sha256 <file> <signature>: sets h to the sha256 recorded beside the file (.sha256-cache) when it was
# recorded for this signature (file_sig), so an unchanged file is not read again.
cached_sha256() {
  [ -n "$2" ] && [ -f "${pe('1%/*')}/.sha256-cache" ] || return 1
  IFS= read -r line < "${pe('1%/*')}/.sha256-cache" || return 1
  [ "${pe('line#* ')}" = "$2" ] || return 1
  h=${pe('line%% *')}
  case $h in *[!0-9a-f]*) return 1 ;; esac
  [ ${pe('#h')} -eq 64 ]
}
# remember_sha256 <file> <sha256>: records it for cached_sha256; best effort (unwritable: hashed next time).
# Written in place: a torn line never matches a whole signature, so the worst a crash leaves is one more hash.
remember_sha256() {
  file_sig "$1" || return 0
  { printf '%s %s\n' "$2" "$sig" > "${pe('1%/*')}/.sha256-cache"; } 2>/dev/null || true
}
# stat_state <modelDir> <release>: one stat run for the links, the release's file and its manifest — each
# program run is a fork and an exec, most of what a re-deploy that changes nothing costs the device after the
# SSH login. GNU stat with escape quoting keeps every answer on its own line, names as given; then sets
# st_ok=1, cur and prev (link targets, empty when not a link), fsig (the file's signature, as file_sig) and
# msize (the manifest's size, empty when absent). Any other answer (BusyBox quotes names): st_ok=0.
stat_state() {
  st_ok=0; cur=; prev=; fsig=; msize=
  # "." always exists: a model directory with nothing in it yet still gets an answer to judge stat by.
  out=$(CDPATH= cd -- "$1" 2>/dev/null && QUOTING_STYLE=escape && export QUOTING_STYLE &&
    exec stat -c '%n|%F|%s %.9Y %.9Z %i %d|%N' -- . current previous "releases/$2/model.onnx" \
      "releases/$2/manifest.json" 2>/dev/null)
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    name=${pe('line%%|*')}
    rest=${pe('line#*|')}
    kind=${pe('rest%%|*')}
    rest=${pe('rest#*|')}
    sig=${pe('rest%%|*')}
    shown=${pe('rest#*|')}
    case $shown in "$name"|"$name -> "*) ;; *) st_ok=0; return ;; esac
    st_ok=1
    case $name/$kind in
      current/symbolic\ link) cur=${pe('shown#"$name -> "')} ;;
      previous/symbolic\ link) prev=${pe('shown#"$name -> "')} ;;
      */model.onnx/regular\ file)
        case $sig in *[!0-9.' ']*) ;; *.*.*) fsig=$sig ;; esac ;;
      */manifest.json/regular\ file) msize=${pe('sig%% *')} ;;
    esac
  done <<EOF
$out
EOF
  # Escape quoting shows a backslash or a control character as \…: such a hand-made target is not a release.
  case $cur in *\\*) cur='?' ;; esac
  case $prev in *\\*) prev='?' ;; esac
}
# release_state <modelDir> <release> <size> <cache-only|hash|rehash>: what the device runs and whether the
# release is there: links, a switch never confirmed, the release's size and sha256 (from the cache while the
# file is unchanged; cache-only never hashes), then its manifest (last: everything after @@manifest@@).
release_state() {
  stat_state "$1" "$2"
  if [ "$st_ok" = 1 ]; then
    printf 'current=%s\nprevious=%s\n' "$cur" "$prev"
  else
    printf 'current='; link_of "$1/current"; printf '\nprevious='; link_of "$1/previous"; printf '\n'
  fi
  if [ -e "$1/current" ] && [ ! -L "$1/current" ]; then printf 'current_not_link=1\n'; fi
  pending_switch "$1"
  f=$1/releases/$2/model.onnx
  if [ -f "$f" ]; then
    if [ "$st_ok" = 1 ]; then sig=$fsig; else file_sig "$f" || sig=; fi
    if [ -n "$sig" ]; then fsize=${pe('sig%% *')}; else fsize=$(($(wc -c < "$f"))); fi
    printf 'release_size=%s\n' "$fsize"
    if [ "$fsize" = "$3" ]; then
      if [ "$4" != rehash ] && cached_sha256 "$f" "$sig"; then
        printf 'release_sha256=%s\nsha256_from=cache\n' "$h"
      elif [ "$4" != cache-only ]; then
        sha256_of "$f" && remember_sha256 "$f" "$h"
        printf 'release_sha256=%s\n' "$h"
      fi
    fi
  fi
  m=$1/releases/$2/manifest.json
  if [ -f "$m" ]; then
    printf '@@manifest@@\n'
    # A manifest of ours is a few hundred bytes: the shell reads it itself, no program runs.
    if [ "$st_ok" = 1 ] && [ -n "$msize" ] && [ "$msize" -le 65536 ]; then
      while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < "$m"
    else
      head -c 1048576 -- "$m"
    fi
  fi
}
# device_facts: what the preflight reports about the device (for the log and the disk-space check).
device_facts() {
  hasher=
  for h in openssl sha256sum shasum; do
    if command -v "$h" >/dev/null 2>&1; then hasher=$h; break; fi
  done
  printf 'hasher=%s\n' "$hasher"
  printf 'uname=%s\n' "$(uname -srm 2>/dev/null)"
  # python3 looked up and df's answer read by the shell itself: no subshell or awk of their own.
  py=; ifs=$IFS; IFS=:; set -f
  for d in ${pe('PATH-')}; do
    if [ -f "${pe('d:-.')}/python3" ] && [ -x "${pe('d:-.')}/python3" ]; then py=${pe('d:-.')}/python3; break; fi
  done
  IFS=$ifs; set +f
  printf 'python3=%s\n' "$py"
  d=$(df -Pk -- "$1" 2>/dev/null) || d=
  case $d in *"$nl"*) set -f; set -- ${pe('d#*"$nl"')}; set +f ;; *) set -- ;; esac
  printf 'avail_kb=%s\n' "${pe('4-')}"
}
# relink <modelDir> <name> <target>: a new link, renamed over the old one (rename is atomic; ln -sf is not).
# The temporary link carries the deployment id ($tag), so no other deployment's clean-up can take it.
relink() {
  if [ -e "$1/.link-$tag-$2" ] || [ -L "$1/.link-$tag-$2" ]; then rm -f -- "$1/.link-$tag-$2"; fi
  ln -s -- "$3" "$1/.link-$tag-$2" && mv -T -- "$1/.link-$tag-$2" "$1/$2"
}
# sync_path <file or directory>…: flush them to stable storage before anything depends on them (a power cut
# after a rename must not leave a name pointing at a partial file). GNU/BusyBox "sync FILE…" fsyncs those
# files; "sync -f" flushes their file systems; a bare "sync" everything. The first that works wins.
sync_path() {
  sync -- "$@" 2>/dev/null || sync -f -- "$@" 2>/dev/null || sync
}
# link_of <path>: a link's target on one line; '?' for a hand-made target with a newline (it would end the
# value) or a backslash (stat_state cannot show it as written): neither is a release name.
link_of() {
  t=$(readlink -- "$1" 2>/dev/null) || return 0
  case $t in *"$nl"*|*\\*) printf '?' ;; *) printf '%s' "$t" ;; esac
}
# pending_switch <modelDir>: the release of a switch whose restart/health check never finished (crash).
pending_switch() {
  u=
  if [ -f "$1/.undo" ]; then IFS= read -r u < "$1/.undo" || true; fi
  printf 'pending_switch=%s\n' "$u"
}
# valid_release <name>: what releaseNameSchema accepts.
valid_release() {
  case $1 in ''|.*|-*|*[!A-Za-z0-9._-]*) return 1 ;; esac
  return 0
}
`;

/**
 * preflight <modelDir> <release> <sizeBytes> <deploymentId> [hash|rehash]: makes the directories, proves it
 * can write there, removes what interrupted deployments left, checks the tools the later steps need, reports
 * free space, the links, and whether the release is already there (its sha256 when the size matches — from
 * the cache while the file is unchanged, unless `rehash` — then its manifest). It runs under the device lock (lockScript), so temporary names of any other deployment are
 * leftovers of one that no longer holds it; this deployment's own (a resumed run) are kept.
 */
export const preflightScript = String.raw`# edgefleet deploy: preflight
${prelude}
md=$1; rel=$2; size=$3; tag=$4; hashing=${pe('5:-hash')}
rd=$md/releases
[ -d "$rd" ] || mkdir -p -- "$rd" 2>/dev/null || fail 20 "cannot create $rd"
probe=$rd/.edgefleet-write-test.$tag
if ! { printf '' > "$probe"; } 2>/dev/null; then fail 20 "no permission to write in $rd"; fi
rm -f -- "$probe"
n=0
for f in "$rd"/.incoming-* "$md"/.link-* "$md"/.undo.*.tmp; do
  case ${pe('f##*/')} in .incoming-"$tag"-*|.link-"$tag"-*|.undo."$tag".tmp) continue ;; esac
  if [ -e "$f" ] || [ -L "$f" ]; then rm -f -- "$f" && n=$((n + 1)); fi
done
printf 'removed_temp=%s\n' "$n"
# The switch renames a new link over the old one with mv -T; once a switch worked here, it still does.
if [ ! -L "$md/current" ]; then
  a=$md/.link-$tag-mvtest.a; b=$md/.link-$tag-mvtest.b
  ln -s releases "$a" && mv -T -- "$a" "$b" 2>/dev/null
  ok=$?
  rm -f -- "$a" "$b"
  [ "$ok" -eq 0 ] || fail 22 "mv -T is not supported here"
fi
device_facts "$rd"
[ -n "$hasher" ] || fail 21 "none of openssl, sha256sum or shasum is installed"
release_state "$md" "$rel" "$size" "$hashing"
`;

/**
 * peek <modelDir> <release> <size> <lockDir>: read-only and without the lock, whether the release is already
 * active: the preflight's release state with the sha256 only from the cache (never hashed here), and
 * `locked=1` while any deployment holds the device lock (then nothing it says is taken as final).
 */
export const peekScript = String.raw`# edgefleet deploy: peek
${prelude}
md=$1; rel=$2; size=$3
if [ -e "$4" ]; then printf 'locked=1\n'; fi
release_state "$md" "$rel" "$size" cache-only
`;

/** The device lock's directory under a deploy root: a dot name, so no model directory can be called that. */
export const lockDirName = '.edgefleet-lock';

/**
 * lock <deployRoot> <deploymentId> <modelName> <acquire|takeover|refresh|release> [expectedHolder]: one
 * deployment at a time per device (deploy root). `mkdir` is atomic on every file system, so the lock is a
 * directory holding `owner`: the deployment id, its start time (epoch s) and the model, one per line; the
 * owner file's mtime is the holder's last sign of progress (`refresh` touches it).
 *
 * - acquire: `lock=acquired`, or `lock=held` with the holder, its start, its model and `idle_s`.
 * - takeover: only if the holder is still `expectedHolder` (the caller checked that one is stale), one
 *   takeover at a time: the lock is renamed away and made again for us → `lock=taken_over`; else `lock=held`
 *   with whoever holds it now.
 * - refresh / release: only the holder's own lock is touched / removed.
 */
export const lockScript = String.raw`# edgefleet deploy: device lock
${prelude}
root=$1; me=$2; model=$3; mode=$4; expect=${pe('5-')}
ld=$root/${lockDirName}
# The clock is read only by the modes that need it (a release does not): each program run is a fork and an exec.
now=
clock() { [ -n "$now" ] || now=$(date +%s); }
mtime_of() { clock; stat -c %Y -- "$1" 2>/dev/null || date -r "$1" +%s 2>/dev/null || printf '%s' "$now"; }
holder_of() {
  h=; s=; m=
  if [ -f "$ld/owner" ]; then { IFS= read -r h; IFS= read -r s; IFS= read -r m; } < "$ld/owner" || true; fi
}
write_owner() {
  clock
  printf '%s\n%s\n%s\n' "$me" "$now" "$model" > "$ld/owner.$me.tmp" && mv -f -- "$ld/owner.$me.tmp" "$ld/owner"
}
report_held() {
  clock
  holder_of
  if [ -f "$ld/owner" ]; then b=$(mtime_of "$ld/owner"); else b=$(mtime_of "$ld"); fi
  printf 'lock=held\nholder=%s\nholder_started=%s\nholder_model=%s\nidle_s=%s\n' "$h" "$s" "$m" "$((now - b))"
}
acquire() {
  if mkdir -- "$ld" 2>/dev/null; then
    write_owner || fail 70 "cannot write the lock $ld/owner"
    printf 'lock=%s\n' "$1"
    exit 0
  fi
}
case $mode in
  acquire)
    [ -d "$root" ] || mkdir -p -- "$root" 2>/dev/null || fail 20 "cannot create $root"
    acquire acquired
    [ -d "$ld" ] || fail 20 "cannot create the lock $ld"
    holder_of
    if [ "$h" = "$me" ]; then touch -- "$ld/owner"; printf 'lock=acquired\n'; exit 0; fi
    report_held ;;
  takeover)
    [ -d "$ld" ] || acquire acquired
    # Takeovers run one at a time (a second mkdir'd mutex), so two deployments that found the same holder stale
    # cannot each move away the lock the other just made. One killed mid-takeover leaves it: cleared after 60 s.
    tm=$root/${lockDirName}.takeover
    tries=0
    until mkdir -- "$tm" 2>/dev/null; do
      tries=$((tries + 1))
      if [ "$tries" -gt 25 ]; then
        clock
        [ $((now - $(mtime_of "$tm"))) -gt 60 ] && rm -rf -- "$tm" && continue
        report_held; exit 0
      fi
      sleep 0.2 2>/dev/null || sleep 1
    done
    trap 'rmdir -- "$tm" 2>/dev/null' EXIT
    holder_of
    if [ "$h" != "$expect" ]; then report_held; exit 0; fi
    gone=$root/${lockDirName}.stale-$me
    rm -rf -- "$gone"
    if mv -T -- "$ld" "$gone" 2>/dev/null; then rm -rf -- "$gone"; fi
    acquire taken_over
    report_held ;;
  refresh)
    holder_of
    if [ "$h" = "$me" ]; then touch -- "$ld/owner"; printf 'lock=refreshed\n'; else printf 'lock=lost\n'; fi ;;
  release)
    holder_of
    if [ "$h" = "$me" ]; then
      gone=$root/${lockDirName}.released-$me
      mv -T -- "$ld" "$gone" && rm -rf -- "$gone"
      printf 'lock=released\n'
    else
      printf 'lock=not_ours\n'
    fi ;;
  *) fail 70 "unknown lock mode $mode" ;;
esac
`;

/** verify <file> <sha256>: prints the file's sha256; on a mismatch removes the file and exits 31. */
export const verifyScript = String.raw`# edgefleet deploy: verify sha256
${prelude}
[ -f "$1" ] || fail 30 "the uploaded file $1 is not there"
sha256_of "$1"
case $? in
  0) ;;
  127) fail 21 "none of openssl, sha256sum or shasum is installed" ;;
  *) fail 32 "could not compute the sha256 of $1 (unreadable?)" ;;
esac
printf 'sha256=%s\n' "$h"
if [ "$h" != "$2" ]; then rm -f -- "$1"; exit 31; fi
`;

/**
 * install <uploadedFile> <releaseDir> [sha256], manifest JSON on stdin: moves the verified upload into the release
 * directory (a rename: same file system) and writes the manifest through a temp file and a rename. Without
 * an upload (the file was already right) it only rewrites the manifest.
 */
export const installScript = String.raw`# edgefleet deploy: install release
${prelude}
tmp=$1; dir=$2; sha=${pe('3-')}
[ -d "$dir" ] || mkdir -p -- "$dir" || fail 20 "cannot create $dir"
if [ ! -f "$tmp" ] && [ ! -f "$dir/model.onnx" ]; then
  fail 40 "neither the upload $tmp nor $dir/model.onnx exists"
fi
cat > "$dir/.manifest.json.tmp" || fail 42 "cannot write the manifest in $dir"
# The file and the manifest reach the disk before their renames, in one sync run (the upload was flushed
# over SFTP already when the server has fsync@openssh.com; flushing a clean file is cheap).
if [ -f "$tmp" ]; then
  chmod 0644 -- "$tmp" 2>/dev/null
  sync_path "$tmp" "$dir/.manifest.json.tmp"
  mv -f -- "$tmp" "$dir/model.onnx" || fail 41 "cannot move $tmp into $dir"
  # Verified just before (verify step): the next deploy of this release need not hash it again.
  if [ -n "$sha" ]; then remember_sha256 "$dir/model.onnx" "$sha"; fi
else
  sync_path "$dir/.manifest.json.tmp"
fi
mv -f -- "$dir/.manifest.json.tmp" "$dir/manifest.json" || fail 42 "cannot write the manifest in $dir"
# The renames into the release directory, and the directory's own entry, reach the disk before the switch.
sync_path "$dir" "${pe('dir%/*')}"
printf 'installed=%s\n' "$dir"
`;

const resolveRelease = String.raw`if [ "$rel" = @previous ]; then
  p=$(readlink -- "$md/previous" 2>/dev/null) || fail 60 "there is no previous release to go back to"
  rel=${pe('p#releases/')}
  if [ "releases/$rel" != "$p" ] || ! valid_release "$rel"; then fail 60 "previous points to $p, not to a release"; fi
fi
valid_release "$rel" || fail 50 "$rel is not a release name"
[ -f "$md/releases/$rel/model.onnx" ] || fail 50 "release $rel is not on the device"
`;

/**
 * confirm_prune <modelDir> <keep> [current previous]: the switch is final (it passed restart and health
 * check, or there are none), so its `.undo` record goes; then release directories beyond the `keep` most
 * recently activated are removed, never the ones `current` or `previous` point to, never anything whose name
 * EdgeFleet would not have made. The switch passes the links it just made; without them they are read.
 */
const confirmPrune = String.raw`# release_dir <name>: a release directory EdgeFleet made (not a link, not a foreign name).
release_dir() { valid_release "$1" && [ -d "$1" ] && [ ! -L "$1" ]; }
confirm_prune() {
  if [ -e "$1/.undo" ]; then rm -f -- "$1/.undo"; fi
  if [ $# -lt 4 ]; then
    set -- "$1" "$2" "$(readlink -- "$1/current" 2>/dev/null)" "$(readlink -- "$1/previous" 2>/dev/null)"
  fi
  cur=${pe('3#releases/')}; prev=${pe('4#releases/')}
  cd -- "$1/releases" 2>/dev/null || return 0
  # Counted by the shell first: only more than keep releases need ls (and its pipe) to order them by age.
  n=0
  for name in *; do
    if release_dir "$name"; then n=$((n + 1)); fi
  done
  [ "$n" -gt "$2" ] || return 0
  n=0
  # BusyBox's ls may have no -q (Debian's has not): then names as they are (only names with a newline, which no
  # release has, would come apart).
  { ls -1tq 2>/dev/null || ls -1t; } | while IFS= read -r name; do
    release_dir "$name" || continue
    n=$((n + 1))
    if [ "$n" -le "$2" ] || [ "$name" = "$cur" ] || [ "$name" = "$prev" ]; then continue; fi
    rm -rf -- "$name" && printf 'removed=%s\n' "$name"
  done
  return 0
}
`;

/**
 * switch <modelDir> <release | @previous> <deploymentId> [keep]: points `current` at the release (atomic rename of a new
 * link), `previous` at what `current` was, and records the state before in `.undo` so a failed restart or
 * health check can restore it exactly; `.undo` stays until the switch is confirmed (prune) or undone, so a
 * crash in between is visible to the next preflight. Already current → `switched=no`, nothing touched.
 * With `keep` (a device without restart and health-check commands: nothing can fail after the switch) the
 * switch is confirmed and old releases pruned in the same round trip, and no `.undo` is written.
 */
export const switchScript = String.raw`# edgefleet deploy: switch current
${prelude}
${confirmPrune}
md=$1; rel=$2; tag=$3; keep=${pe('4-')}
${resolveRelease}
if [ -e "$md/current" ] && [ ! -L "$md/current" ]; then
  fail 53 "$md/current is a real file or directory, not a link: move it away, then retry"
fi
cur=$(readlink -- "$md/current" 2>/dev/null)
prev=$(readlink -- "$md/previous" 2>/dev/null)
case $cur$prev in *"$nl"*) fail 53 "a link under $md has a newline in its target: fix it by hand" ;; esac
printf 'release=%s\nold_current=%s\nold_previous=%s\n' "$rel" "$cur" "$prev"
now_prev=$prev
if [ "$cur" = "releases/$rel" ]; then
  printf 'switched=no\n'
else
  # The 4th line names the deployment that switched (read by people, not by the scripts). A switch that
  # confirms itself (keep) needs no record: nothing after it can fail, and a crash half-way leaves current
  # on the old or the new release, both whole.
  if [ -z "$keep" ]; then
    { printf '%s\n%s\n%s\n%s\n' "$rel" "$cur" "$prev" "$tag" > "$md/.undo.$tag.tmp" &&
      sync_path "$md/.undo.$tag.tmp" && mv -f -- "$md/.undo.$tag.tmp" "$md/.undo"; } ||
      fail 52 "cannot write $md/.undo"
  fi
  # The release's mtime says when it was last activated: prune keeps the most recent.
  touch -- "$md/releases/$rel" 2>/dev/null
  relink "$md" current "releases/$rel" || fail 54 "cannot switch $md/current"
  if [ -n "$cur" ]; then
    relink "$md" previous "$cur" || fail 54 "cannot update $md/previous"
    now_prev=$cur
  fi
  # The renamed links are directory entries: flush the directory so the switch survives a power cut.
  sync_path "$md"
  printf 'switched=yes\n'
fi
if [ -n "$keep" ]; then confirm_prune "$md" "$keep" "releases/$rel" "$now_prev"; fi
exit 0
`;

/**
 * undo-switch <modelDir> <release> <deploymentId>: restores `current` and `previous` from `.undo`, only if `current` still
 * points where that switch put it (someone else may have switched since). No previous release → `current`
 * is removed again: the device runs what it ran before, nothing.
 */
export const undoSwitchScript = String.raw`# edgefleet deploy: switch back
${prelude}
md=$1; want=$2; tag=$3
[ -f "$md/.undo" ] || fail 51 "no record of the state before the last switch ($md/.undo)"
{ IFS= read -r u_rel; IFS= read -r u_cur; IFS= read -r u_prev; } < "$md/.undo"
u_rel=${pe('u_rel-')}; u_cur=${pe('u_cur-')}; u_prev=${pe('u_prev-')}
if [ -n "$want" ] && [ "$u_rel" != "$want" ]; then fail 51 "the last switch went to $u_rel, not $want"; fi
cur=$(readlink -- "$md/current" 2>/dev/null)
[ "$cur" = "releases/$u_rel" ] || fail 51 "current points to '$cur' now, not releases/$u_rel: it changed since"
if [ -n "$u_cur" ]; then relink "$md" current "$u_cur" || fail 54 "cannot switch $md/current back"
else rm -f -- "$md/current"; fi
if [ -n "$u_prev" ]; then relink "$md" previous "$u_prev" || fail 54 "cannot restore $md/previous"
else rm -f -- "$md/previous"; fi
rm -f -- "$md/.undo"
sync_path "$md"
printf 'current=%s\nprevious=%s\n' "$u_cur" "$u_prev"
`;

/** prune <modelDir> <keep>: confirm_prune after a successful restart and health check. */
export const pruneScript = String.raw`# edgefleet deploy: confirm switch, prune old releases
${prelude}
${confirmPrune}
confirm_prune "$1" "$2"
`;

/**
 * inspect <modelDir> <release | @previous>: for a rollback, which release that is, the sha256 of its file
 * and its manifest, so a corrupt release is refused before switching to it.
 */
export const inspectScript = String.raw`# edgefleet rollback: inspect release
${prelude}
md=$1; rel=$2
${resolveRelease}
printf 'release=%s\n' "$rel"
pending_switch "$md"
printf 'current=%s\n' "$(link_of "$md/current")"
printf 'previous=%s\n' "$(link_of "$md/previous")"
printf 'release_sha256=%s\n' "$(hash_file "$md/releases/$rel/model.onnx")"
if [ -f "$md/releases/$rel/manifest.json" ]; then
  printf '@@manifest@@\n'
  head -c 1048576 -- "$md/releases/$rel/manifest.json"
fi
`;

/**
 * read-state <deployRoot> <tag>: for every model directory with a `current` entry: its name, the link
 * target, the active file's sha256, its manifest and the previous link, in sections `@@<tag>:<name>@@`.
 * The tag is random per run, so no file content can fake a section boundary.
 */
export const readStateScript = String.raw`# edgefleet drift: read what runs
${prelude}
root=$1; tag=$2
sec() { printf '\n@@%s:%s@@\n' "$tag" "$1"; }
for d in "$root"/*/; do
  [ -d "$d" ] || continue
  md=${pe('d%/')}
  name=${pe('md##*/')}
  if [ ! -e "$md/current" ] && [ ! -L "$md/current" ]; then continue; fi
  case $name in *"$nl"*) continue ;; esac
  sec model
  printf '%s' "$name"
  sec link
  link_of "$md/current"
  sec previous
  link_of "$md/previous"
  if [ -f "$md/current/model.onnx" ]; then
    sec sha256
    hash_file "$md/current/model.onnx"
  fi
  if [ -f "$md/current/manifest.json" ]; then
    sec manifest
    head -c 1048576 -- "$md/current/manifest.json"
  fi
done
sec end
`;

/**
 * chain <tag> then, per command, <script> <argc> <when> <stdin> <args…>: several of the scripts above in one
 * SSH round trip, each in its own subshell with its own arguments, as if run one after the other — on a link
 * with 100 ms of latency each command saved is 2–3 round trips. A command runs only when `when` holds for the
 * one before: `ok` (it exited 0), `line:<text>` (exited 0 and printed that line) or `always`; the first that
 * does not run ends the chain. After each command its stdout ends with `\n@@<tag>:<exit code>@@\n` and its
 * stderr with `\n@@<tag>@@\n` (the tag is random per run, so no output can fake a boundary). Only a command
 * whose `stdin` is 1 reads the chain's stdin; the others read /dev/null.
 */
export const chainScript = String.raw`# edgefleet deploy: commands in one round trip
nl='
'
tag=$1; shift
code=0; out=
first=1
while [ $# -ge 4 ]; do
  s=$1; n=$2; when=$3; in=$4; shift 4
  if [ "$first" = 0 ]; then
    case $when in
      always) ;;
      ok) [ "$code" = 0 ] || break ;;
      line:*) [ "$code" = 0 ] || break
        case $nl$out$nl in *"$nl${pe('when#line:')}$nl"*) ;; *) break ;; esac ;;
      *) break ;;
    esac
  fi
  first=0
  [ "$n" -le $# ] || { printf 'chain: %s arguments missing\n' "$n" >&2; exit 2; }
  out=$(
    # Keep this command's own arguments: rotate all of them once, keeping the first n.
    total=$#; i=0
    while [ "$i" -lt "$total" ]; do
      if [ "$i" -lt "$n" ]; then set -- "$@" "$1"; fi
      shift; i=$((i + 1))
    done
    if [ "$in" = 1 ]; then (eval "$s"); else (eval "$s") < /dev/null; fi
    printf '\n%s' "$?"
  )
  code=${pe('out##*"$nl"')}; out=${pe('out%"$nl"*')}
  printf '%s\n@@%s:%s@@\n' "$out" "$tag" "$code"
  printf '\n@@%s@@\n' "$tag" >&2
  shift "$n"
done
exit 0
`;

/** `key=value` lines (the first `=` splits); output after a `@@manifest@@` line is returned apart. */
export function parseKeyValues(stdout: string): { values: Map<string, string>; manifest: string | null } {
  const marker = '@@manifest@@\n';
  const at = stdout.indexOf(marker);
  const head = at === -1 ? stdout : stdout.slice(0, at);
  const values = new Map<string, string>();
  for (const line of head.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return { values, manifest: at === -1 ? null : stdout.slice(at + marker.length) };
}

type StateSection = { name: string; text: string };

/** Sections of read-state output; a section's text is what its command printed. */
export function splitSections(stdout: string, tag: string): StateSection[] {
  const pattern = new RegExp(`\\n@@${tag}:([a-z0-9-]+)@@\\n`, 'g');
  const sections: StateSection[] = [];
  let last: { name: string; start: number } | null = null;
  for (const m of stdout.matchAll(pattern)) {
    if (last !== null) sections.push({ name: last.name, text: stdout.slice(last.start, m.index) });
    last = { name: m[1] ?? '', start: m.index + m[0].length };
  }
  if (last !== null) sections.push({ name: last.name, text: stdout.slice(last.start) });
  return sections;
}
