#!/bin/sh
# Fetching answerfiles with the xsraid command, against the servers of
# fetch-server.py on the loopback: the one line an operator reads for a bad
# certificate, a downgrading redirect, a loop, an oversized body or a wrong
# pin, and a URL's password in no message and no log.  Run against the ASan
# build (host libcurl and OpenSSL) and the static build (libcurl and mbedTLS),
# which must say the same.
#
# usage: XSRAID=build/xsraid [XSRAID_WRAPPER=qemu-i386] installer-hook/tests/fetch-cli.sh
set -eu

: "${XSRAID:?set XSRAID to the binary under test}"
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server"; rm -rf "$work"' EXIT
failures=0
checks=0

python3 "$top/installer-hook/tests/fetch-server.py" "$work" >"$work/ports" &
server=$!
n=0
until [ -s "$work/ports" ]; do
	n=$((n + 1))
	[ $n -le 100 ] || { echo "fetch-cli: fetch-server.py did not start" >&2; exit 1; }
	sleep 0.1
done
read -r ports <"$work/ports"
port() { printf '%s\n' "$ports" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
http=$(port http) https=$(port https) self_signed=$(port self-signed)
wrong_host=$(port wrong-host) expired=$(port expired)

# check STATUS MESSAGE -- xsraid arguments...: the exit status and the whole output.
check() {
	want_status=$1 want=$2
	shift 3
	checks=$((checks + 1))
	set +e
	${XSRAID_WRAPPER:+"$XSRAID_WRAPPER"} "$XSRAID" "$@" >"$work/out" 2>&1
	got=$?
	set -e
	if [ "$got" -ne "$want_status" ] || [ "$(cat "$work/out")" != "$want" ]; then
		echo "FAIL: xsraid $*" >&2
		echo "  got  ($got) $(cat "$work/out")" >&2
		echo "  want ($want_status) $want" >&2
		failures=$((failures + 1))
	fi
}

ca="--ca-file=$work/ca.pem"
# mbedTLS 2.28 matches host names only, not IP addresses, in certificates: https by name.
h=localhost
untrusted="is not signed by a CA the installer trusts; add the CA to its bundle, or serve the answerfile over http with answerfile_sha256="
not_https="which is not https (after https, only https is followed); fix the redirect on the server or give the final URL"
no_primary="<installation mode=\"fresh\"> has no <primary-disk>; add <primary-disk>sda</primary-disk>"

check 1 "https://$h:$https/ok:1: $no_primary" -- validate "https://$h:$https/ok" "$ca"
check 1 "cannot fetch 'https://$h:$self_signed/ok': the certificate of $h port $self_signed $untrusted" \
	-- validate "https://$h:$self_signed/ok" "$ca"
check 1 "cannot fetch 'https://$h:$wrong_host/ok': the certificate of $h port $wrong_host is for another host name; use the name the certificate was made for" \
	-- validate "https://$h:$wrong_host/ok" "$ca"
check 1 "cannot fetch 'https://$h:$expired/ok': the certificate of $h port $expired has expired; renew it on the server, or check the installer's clock (BIOS time)" \
	-- validate "https://$h:$expired/ok" "$ca"
check 1 "cannot fetch 'https://$h:$https/to-http': the server redirects to 'http://127.0.0.1:$http/ok', $not_https" \
	-- validate "https://$h:$https/to-http" "$ca"
check 1 "cannot fetch 'https://$h:$https/to-ftp': the server redirects to 'ftp://127.0.0.1:$http/ok', $not_https" \
	-- validate "https://$h:$https/to-ftp" "$ca"
check 1 "cannot fetch 'http://$h:$http/loop-a': redirect loop: the server sends 'http://$h:$http/loop-b' back to 'http://$h:$http/loop-a'; fix the redirects on the server" \
	-- validate "http://$h:$http/loop-a"
check 1 "cannot fetch 'http://$h:$http/big-unannounced': larger than 1048576 bytes, which is not an answerfile" \
	-- validate "http://$h:$http/big-unannounced"
zero=0000000000000000000000000000000000000000000000000000000000000000
sum=$(printf '<installation/>\n' | sha256sum | cut -d' ' -f1)
check 1 "'http://$h:$http/ok' does not match answerfile_sha256=$zero (its SHA-256 is $sum); fix the pin or the file" \
	-- validate "http://$h:$http/ok" --sha256="$zero"

# Credentials in the URL: used, and shown as ***.
check 1 "http://***@$h:$http/auth:1: $no_primary" -- validate "http://admin:s3cret@$h:$http/auth"
check 1 "cannot fetch 'https://***@$h:$https/auth': the server answered HTTP 401; check the user and password in the URL" \
	-- validate "https://admin:guess@$h:$https/auth" "$ca"
check 1 "xsraid: error: http://***@$h:$http/auth:1: $no_primary" \
	-- apply --sysroot "$work" --answerfile "http://admin:s3cret@$h:$http/auth" --log "$work/log"
checks=$((checks + 1))
if grep -q s3cret "$work/log" || ! grep -qF "http://***@$h:$http/auth:1" "$work/log"; then
	echo "FAIL: the log shows the password, or not the location: $(cat "$work/log")" >&2
	failures=$((failures + 1))
fi

echo "fetch-cli: $checks checks, $failures failed ($XSRAID)"
[ "$failures" -eq 0 ]
