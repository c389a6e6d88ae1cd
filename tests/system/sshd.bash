# An sshd on 127.0.0.1 for the system tests (image scp): a host key and a client key generated
# into DIR, the client key the only one authorized, for the current user. start_sshd DIR prints
# the port once sshd accepts a login; ssh then runs as `ssh -F DIR/ssh_config`. stop_sshd DIR.
# Load after registry.bash (free_port, stop_pid_file).

have_sshd() { [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null; }

start_sshd() {
  local dir=$1 port
  mkdir -p "$dir"
  chmod 700 "$dir"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" || return 1
  ssh-keygen -q -t ed25519 -N '' -f "$dir/id" || return 1
  cp "$dir/id.pub" "$dir/authorized_keys"
  # sshd started as root wants its privilege separation directory.
  if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then mkdir -p -m 755 /run/sshd || return 1; fi
  port=$(free_port)
  cat >"$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1:$port
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $(id -un)
CONF
  cat >"$dir/ssh_config" <<CONF
Host *
  IdentityFile $dir/id
  IdentitiesOnly yes
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  BatchMode yes
  LogLevel ERROR
CONF
  # -D: in the foreground as our child (fd 3 closed: bats waits for whatever holds it).
  /usr/sbin/sshd -D -e -f "$dir/sshd_config" >"$dir/log" 2>&1 3>&- &
  echo $! >"$dir/pid"
  for _ in $(seq 50); do
    if ssh -F "$dir/ssh_config" -p "$port" "$(id -un)@127.0.0.1" true 2>/dev/null; then
      echo "$port"
      return 0
    fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.2
  done
  echo "sshd did not start: $(cat "$dir/log")" >&2
  stop_sshd "$dir"
  return 1
}

stop_sshd() {
  stop_pid_file "$1/pid"
}
