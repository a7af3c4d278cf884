#!/bin/sh
# Install OpenSSH's sshd for the SFTP adapter tests (tests/clearinghouse/), without leaving a
# system sshd running: the tests start their own sshd on a free high port on 127.0.0.1.
#
# Why each step: Debian's postinst starts ssh.service unless policy-rc.d forbids it, and a
# machine that gains a root-login daemon on port 22 because of a test run is a security bug.
# So: forbid service starts during the install, stop/disable anything that started anyway,
# then prove that nothing listens on port 22.
#
# Usage: sh .ci/install-sshd.sh   (as root, or with sudo available)
set -eu

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

if [ -x /usr/sbin/sshd ]; then
    echo "install-sshd: /usr/sbin/sshd already installed"
else
    # Forbid service starts during the install; keep an existing policy file untouched.
    POLICY=/usr/sbin/policy-rc.d
    CREATED_POLICY=0
    if [ ! -e "$POLICY" ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
        $SUDO chmod 755 "$POLICY"
        CREATED_POLICY=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends openssh-server >/dev/null
    if [ "$CREATED_POLICY" -eq 1 ]; then
        $SUDO rm -f "$POLICY"
    fi
fi

# Stop and disable whatever the package may have started or enabled.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
fi
if command -v service >/dev/null 2>&1; then
    $SUDO service ssh stop >/dev/null 2>&1 || true
fi
if command -v update-rc.d >/dev/null 2>&1; then
    $SUDO update-rc.d ssh disable >/dev/null 2>&1 || true
fi
# A daemon started from the package scripts writes its pid here; stop exactly that process.
if [ -f /run/sshd.pid ]; then
    $SUDO kill "$(cat /run/sshd.pid)" 2>/dev/null || true
    sleep 1
fi

# sshd refuses to start without its privilege-separation directory.
$SUDO mkdir -p /run/sshd

# Prove that nothing listens on port 22 (IPv4 or IPv6, any address).
if command -v ss >/dev/null 2>&1; then
    LISTENERS=$(ss -H -ltn 'sport = :22' 2>/dev/null || true)
elif command -v netstat >/dev/null 2>&1; then
    LISTENERS=$(netstat -ltn 2>/dev/null | awk '$4 ~ /:22$/' || true)
else
    LISTENERS=$(awk 'NR > 1 && $4 == "0A" && $2 ~ /:0016$/' /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)
fi
if [ -n "$LISTENERS" ]; then
    echo "install-sshd: something listens on port 22 after the install:" >&2
    echo "$LISTENERS" >&2
    exit 1
fi
echo "install-sshd: $(/usr/sbin/sshd -V 2>&1 | head -n 1); nothing listens on port 22"
