#!/usr/bin/env bash
# The system programs the tests use besides node_modules, checked before they run (npm's pretest hooks):
#   unit          nothing (Node and node_modules only)
#   integration   OpenSSH server + client (private sshd "devices"), Debian's python3 with onnx and numpy
#                 (independent checks), libonnx-testdata (ONNX's backend test models), ansible (the
#                 Ansible deploy engine: ansible-playbook with the ansible.posix collection), busybox (the
#                 device scripts on a BusyBox-only device)
#   e2e           Chromium (Playwright drives the system browser; no browser is downloaded)
# Usage: bash scripts/test-prereqs.sh [integration|e2e|all]   (default: all)
# What is missing is installed with apt-get when running as root on Debian/Ubuntu; otherwise the script names
# the packages and the command to install them, and exits 1.
set -euo pipefail

tier="${1:-all}"
case "$tier" in
  unit) exit 0 ;;
  integration | e2e | all) ;;
  *)
    echo "usage: $0 [integration|e2e|all]" >&2
    exit 2
    ;;
esac

missing=()
check() { # <debian package> <command that succeeds when it is there>
  if ! bash -c "$2" >/dev/null 2>&1; then missing+=("$1"); fi
}

if [[ "$tier" == integration || "$tier" == all ]]; then
  check openssh-server 'test -x /usr/sbin/sshd'
  check openssh-client 'test -x /usr/bin/ssh-keygen && test -x /usr/bin/ssh-agent && test -x /usr/bin/ssh-add'
  check python3-onnx "/usr/bin/python3 -c 'import onnx'"
  check python3-numpy "/usr/bin/python3 -c 'import numpy'"
  check libonnx-testdata 'test -d /usr/share/libonnx-testdata/data/node'
  check procps 'command -v ps'
  check ansible 'command -v ansible-playbook && test -d /usr/lib/python3/dist-packages/ansible_collections/ansible/posix'
  check busybox 'test -x /usr/bin/busybox'
fi
if [[ "$tier" == e2e || "$tier" == all ]]; then
  check chromium 'test -x /usr/bin/chromium'
fi

if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi

install="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "test-prereqs: installing ${missing[*]} (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null
  exit 0
fi

{
  what="$tier"
  [[ "$tier" == all ]] && what="integration and end-to-end"
  echo "test-prereqs: the $what tests need system packages that are missing: ${missing[*]}"
  echo "Install them (Debian/Ubuntu), then run the tests again:"
  echo "    sudo apt-get update && sudo $install"
  echo "(npm run test:unit needs none of them.)"
} >&2
exit 1
