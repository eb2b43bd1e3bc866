# Shared shell functions of the project's scripts (sourced, not run).
# shellcheck shell=bash

say()  { printf '\033[1m==> %s\033[0m\n' "$*"; }
ok()   { printf '    %s\n' "$*"; }
die()  { printf '\033[31mERREUR : %s\033[0m\n' "$*" >&2; exit 1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
# stop_pidfile PIDFILE SECONDS MESSAGE: the process of PIDFILE asked to stop (SIGTERM), killed
# after SECONDS if still there, MESSAGE said if it was running; the pid file removed
stop_pidfile() {
  if pid_alive "$1"; then
    kill "$(cat "$1")" 2>/dev/null || true
    for _ in $(seq 1 $(( $2 * 10 ))); do pid_alive "$1" || break; sleep 0.1; done
    pid_alive "$1" && kill -9 "$(cat "$1")" 2>/dev/null || true
    ok "$3"
  fi
  rm -f "$1"
}

# ---------------------------------------------------------------- packages
APT_UPDATED=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "paquets manquants (${missing[*]}) et pas d'apt-get : installez-les à la main."
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "paquets manquants (${missing[*]}) : relancez en root ou installez-les (apt-get install ${missing[*]})."
    SUDO=sudo
  fi
  say "Installation des paquets Debian : ${missing[*]}"
  if [ $APT_UPDATED -eq 0 ]; then
    $SUDO apt-get update -qq || die "apt-get update a échoué (réseau ? dépôts ?)."
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} a échoué."
}

