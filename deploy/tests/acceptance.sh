#!/usr/bin/env bash
# Acceptance test of jtrove's deployment, on this machine, as root (it installs packages, users and services, and
# removes them all at the end, also when it fails):
#   1. packages: deploy/build-packages; an older build installed, a newer one upgraded over it (data and
#      configuration kept), then purged (nothing left: files, the jtrove user);
#   2. `puppet apply examples/site.pp` from nothing: RabbitMQ, the metadata MariaDB, the four services under runit,
#      a mysql datastore version and a flavor; port 8779 answers; the exercise: `openstack database instance create`
#      from that version gives an ACTIVE instance that the mysql client uses;
#   3. a second apply changes nothing (--detailed-exitcodes 0);
#   4. one parameter changed (the instance quota): the apply restarts every service through the anchor chain, the
#      new quota is in force, the instance is still ACTIVE with its data;
#   5. jtrove::keystone::auth against a real Keystone (Debian's keystone, started here on 127.0.0.1): the openstack
#      client, with Keystone's credentials, reaches jtrove through Keystone's catalog; applied again, nothing changes.
# About 10 minutes on 2 busy cores (lintian about 1 of them); JTROVE_ACCEPTANCE_QUICK=1 skips the upgrade and purge.
# Needs: no systemd (runit supervises, runsvdir started here), and free on 127.0.0.1 the ports 8779 (API), 13306
# (metadata MariaDB), 15782/25782 (RabbitMQ, Erlang distribution), 15882 (RabbitMQ management), 14369 (epmd),
# 15357 (Keystone); the system MariaDB and RabbitMQ stopped (they are reconfigured; /etc/mysql, /var/lib/mysql,
# /etc/rabbitmq, /var/lib/rabbitmq and /etc/default/rabbitmq-server are restored afterwards exactly as they were,
# symlinks included); instances get 127.180.y.z. Other tests use none of these, and the cleanup touches only what
# this deployment made: the OS users `jtrove`, the guest agent's database user and each instance's user (read from
# /var/lib/jtrove/instances), the system broker's and MariaDB's processes, and its own work directory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
module="$root/deploy/puppet"
site="$module/jtrove/examples/site.pp"
repo=/srv/jtrove-apt
api_port=8779
keystone_port=15357
db_user=jtrove-dbacc
log() { echo "acceptance [$(date -u +%T), ${SECONDS} s]: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root (it installs packages and services)"
[ ! -d /run/systemd/system ] || fail "this test drives runit; on a systemd host use the systemd provider by hand"
for port in $api_port 13306 15782 25782 15882 14369 $keystone_port; do
  if ss -Hltn "sport = :$port" | grep -q .; then fail "port $port is in use; the test needs it (see the header)"; fi
done
if dpkg -l 'jtrove-*' 2>/dev/null | grep -q '^ii'; then fail "jtrove packages are installed already; purge them first"; fi
[ -e "$repo" ] && fail "$repo exists; remove it (or wait for the run that uses it)"
# A /var/lib/jtrove of `bin/jtrove server` run as root (the README's first command) is set aside for the test and put
# back afterwards, unless something still runs from it (jtrove itself, or the servers of its instances).
saved_state=/var/lib/jtrove.saved-by-acceptance
[ ! -e "$saved_state" ] || fail "$saved_state exists (left by a killed run): move it back to /var/lib/jtrove first"
if [ -e /var/lib/jtrove ]; then
  users_of_state="$(grep -l -s -F -f <(echo /var/lib/jtrove) /proc/[0-9]*/cmdline | cut -d/ -f3 | tr '\n' ' ' || true)"
  [ -z "$users_of_state" ] || fail "processes run from /var/lib/jtrove (pids $users_of_state): stop that jtrove and its instances' servers first"
fi
! pgrep -x runsvdir >/dev/null || fail "a runsvdir runs already; the test starts its own on /etc/service"
mysql_pidfile=/run/mysqld/mysqld.pid
if [ -s "$mysql_pidfile" ] && kill -0 "$(cat "$mysql_pidfile")" 2>/dev/null; then
  fail "the system MariaDB runs; the test reconfigures it (stop it: kill \$(cat $mysql_pidfile))"
fi
! pgrep -u rabbitmq -x beam.smp >/dev/null || fail "the system RabbitMQ runs; the test reconfigures it (stop it first)"

# ---- what to restore ------------------------------------------------------------------------------------------
work="$(mktemp -d /tmp/jtrove-acceptance.XXXXXX)"
chmod 0711 "$work"
users_before="$(getent passwd | cut -d: -f1 | sort)"
groups_before="$(getent group | cut -d: -f1 | sort)"
had_openstack_dir="$([ -d /etc/openstack ] && echo yes || true)"
# The system MariaDB's and RabbitMQ's files as they are now (tar keeps symlinks such as /etc/mysql/my.cnf as links;
# paths that do not exist now, such as /etc/rabbitmq, are simply absent afterwards).
saved=()
for p in etc/mysql var/lib/mysql etc/rabbitmq var/lib/rabbitmq etc/default/rabbitmq-server; do
  [ -e "/$p" ] || [ -L "/$p" ] && saved+=("$p")
done
tar -C / -cf "$work/system-state.tar" "${saved[@]}"
runsvdir_pid=""
keystone_pid=""

# The OS users of this deployment, and only those: the packages' `jtrove`, the guest agent's database user and each
# instance's user (named after the instance id, as OsUser.forInstance does, and owning its directory). Noted while
# the instances' directories exist (cleanup runs it before the purge removes them); never a user that existed
# before the test.
note_deployment_users() {
  local d id
  { echo jtrove; echo "$db_user"
    for d in /var/lib/jtrove/instances/*/; do
      [ -d "$d" ] || continue
      id="$(basename "$d")"
      id="${id//-/}"
      echo "jt${id:0:30}"
      stat -c %U "$d" "$d"* 2>/dev/null
    done
  } | grep -vx -e root -e UNKNOWN >>"$work/deployment-users"
}
deployment_users() {
  [ -f "$work/deployment-users" ] || return 0
  sort -u "$work/deployment-users" | comm -23 - <(echo "$users_before") \
    | while read -r u; do getent passwd "$u" >/dev/null && echo "$u"; done
}
# Stops the system MariaDB by its pid file (its init script's stop may `killall mariadbd`, which would also end
# other tests' servers and the instances').
stop_system_mariadb() {
  local pid
  [ -s "$mysql_pidfile" ] || return 0
  pid="$(cat "$mysql_pidfile")"
  [ "$(stat -c %U "/proc/$pid" 2>/dev/null)" = mysql ] || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
  kill -KILL "$pid" 2>/dev/null
}

cleanup() {
  local rc=$?
  set +e
  log "cleaning up (exit $rc)"
  if [ -n "$keystone_pid" ]; then kill "$keystone_pid" 2>/dev/null; wait "$keystone_pid" 2>/dev/null; fi
  for s in /etc/service/jtrove-*; do [ -e "$s" ] && sv force-stop "$s" >/dev/null 2>&1; done
  if [ -n "$runsvdir_pid" ]; then
    kill -HUP "$runsvdir_pid" 2>/dev/null
    wait "$runsvdir_pid" 2>/dev/null
  fi
  note_deployment_users
  # Whatever database servers this deployment's instances left.
  for u in $(deployment_users); do
    for p in $(pgrep -u "$u"); do kill -KILL "$p" 2>/dev/null; done
  done
  stop_system_mariadb
  /etc/init.d/rabbitmq-server stop >/dev/null 2>&1
  for p in $(pgrep -u rabbitmq -x beam.smp); do kill "$p" 2>/dev/null; done
  # The system broker's epmd processes: the rabbitmq user's, and those on this test's epmd port (rabbitmqctl
  # run as root starts one); other tests' brokers (other users, other ports) are left alone.
  for p in $(pgrep -x epmd); do
    if [ "$(stat -c %U "/proc/$p")" = rabbitmq ] || tr '\0' '\n' < "/proc/$p/environ" | grep -qx ERL_EPMD_PORT=14369; then
      kill "$p" 2>/dev/null
    fi
  done
  rm -rf /tmp/hsperfdata_jtrove
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq jtrove-common jtrove-api jtrove-taskmanager \
    jtrove-conductor jtrove-guestagent >/dev/null 2>&1
  rm -f /etc/apt/sources.list.d/jtrove-local.list /var/lib/apt/lists/_srv_jtrove-apt_*
  rm -rf "$repo" /root/.jtrove-site-seed /root/.jtrove-site-backup-key /etc/openstack/puppet /var/lib/jtrove
  [ ! -e "$saved_state" ] || mv "$saved_state" /var/lib/jtrove
  [ -n "$had_openstack_dir" ] || rmdir /etc/openstack 2>/dev/null
  rm -rf /etc/mysql /var/lib/mysql /etc/rabbitmq /var/lib/rabbitmq /etc/default/rabbitmq-server
  tar -C / -xpf "$work/system-state.tar"
  for u in $(deployment_users); do
    userdel "$u" >/dev/null 2>&1
    if getent group "$u" >/dev/null && ! grep -qx "$u" <<<"$groups_before"; then groupdel "$u" >/dev/null 2>&1; fi
  done
  rm -rf "$work"
  exit "$rc"
}
# (set aside just before the trap is set: from then on the cleanup puts it back; a run killed in between leaves it
# under the saved name, which the next run refuses to overwrite)
if [ -e /var/lib/jtrove ]; then
  mv /var/lib/jtrove "$saved_state"
  log "set aside /var/lib/jtrove as $saved_state (put back at the end)"
fi
trap cleanup EXIT INT TERM

# ---- 1. packages: build, install an older build, upgrade, purge ------------------------------------------------
# JTROVE_ACCEPTANCE_QUICK=1 (while working on the Puppet part): only the current build, no upgrade and purge checks.
if [ -n "${JTROVE_ACCEPTANCE_QUICK:-}" ]; then
  "$root/deploy/build-packages" --repo "$repo" --skip-lintian 2>"$work/build.log" || { cat "$work/build.log" >&2; fail "build-packages"; }
else
log "building the packages (an older build, then the current one)"
"$root/deploy/build-packages" --repo "$repo" --version 0.0.1~acceptance1 --skip-lintian 2>"$work/build-old.log" \
  || { cat "$work/build-old.log" >&2; fail "build-packages (older build)"; }
echo "deb [trusted=yes] file:$repo ./" > /etc/apt/sources.list.d/jtrove-local.list
apt_local_update() {
  apt-get update -qq -o Dir::Etc::sourcelist=sources.list.d/jtrove-local.list -o Dir::Etc::sourceparts=- \
    -o APT::Get::List-Cleanup=0
}
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "$@" >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; return 1; }
}
apt_local_update
apt_install jtrove-api jtrove-taskmanager jtrove-conductor jtrove-guestagent || fail "apt-get install jtrove-api ..."
[ "$(dpkg-query -W -f '${Version}' jtrove-common)" = 0.0.1~acceptance1 ] || fail "the older build is not installed"
getent passwd jtrove >/dev/null || fail "jtrove-common made no jtrove user"
[ "$(stat -c '%U %a' /var/lib/jtrove)" = "jtrove 711" ] || fail "/var/lib/jtrove is $(stat -c '%U %a' /var/lib/jtrove)"
[ "$(stat -c '%G %a' /etc/jtrove/jtrove.conf)" = "jtrove 640" ] || fail "jtrove.conf is not root:jtrove 0640"
grep -q '^exec chpst -u jtrove:jtrove /usr/bin/jtrove api --config-file /etc/jtrove/jtrove.conf$' /etc/sv/jtrove-api/run \
  || fail "jtrove-api's runit service does not run jtrove api as jtrove"
grep -q '^exec chpst -u root:root /usr/bin/jtrove guestagent --config-file /etc/jtrove/jtrove.conf --config-file /etc/jtrove/jtrove-guestagent.conf$' \
  /etc/sv/jtrove-guestagent/run || fail "jtrove-guestagent's runit service does not run the guest agent as root"
grep -q '^User=jtrove$' /lib/systemd/system/jtrove-conductor.service || fail "the conductor's unit does not run as jtrove"
grep -q '^KillMode=process$' /lib/systemd/system/jtrove-guestagent.service || fail "the guest agent's unit would kill the servers"
echo "upgrade-marker" > /var/lib/jtrove/acceptance-data
printf '\n[DEFAULT]\npage_size = 33\n' >> /etc/jtrove/jtrove.conf

log "older build installed; building the current one, checked with lintian"
"$root/deploy/build-packages" --repo "$repo" 2>"$work/build.log" || { cat "$work/build.log" >&2; fail "build-packages (lintian errors?)"; }
log "current build made"
new_version="$(dpkg-deb -f "$(ls "$repo"/jtrove-common_*.deb)" Version)"
apt_local_update
apt_install jtrove-api jtrove-taskmanager jtrove-conductor jtrove-guestagent || fail "upgrade"
[ "$(dpkg-query -W -f '${Version}' jtrove-api)" = "$new_version" ] || fail "jtrove-api was not upgraded to $new_version"
[ "$(cat /var/lib/jtrove/acceptance-data)" = upgrade-marker ] || fail "the upgrade lost /var/lib/jtrove's data"
grep -q '^page_size = 33$' /etc/jtrove/jtrove.conf || fail "the upgrade lost the changed jtrove.conf"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq jtrove-common jtrove-api jtrove-taskmanager jtrove-conductor \
  jtrove-guestagent >/dev/null
for left in /var/lib/jtrove /etc/jtrove /var/log/jtrove /etc/sv/jtrove-api /usr/bin/jtrove; do
  [ ! -e "$left" ] || fail "purge left $left"
done
! getent passwd jtrove >/dev/null || fail "purge left the jtrove user"
log "packages: install, upgrade ($new_version over 0.0.1~acceptance1, data and configuration kept) and purge pass"
fi


# ---- 2. puppet apply from nothing ----------------------------------------------------------------------------
runsvdir -P /etc/service 'log: ..........................................................' &
runsvdir_pid=$!
export FACTER_jtrove_address_base=180 FACTER_jtrove_database_os_user="$db_user" FACTER_jtrove_api_port=$api_port
export FACTER_jtrove_service_provider=runit
# keystone_phase: a real Keystone (Debian's keystone: fernet tokens, SQLite, its own WSGI server on 127.0.0.1), then
# site.pp with jtrove_identity=keystone: jtrove::keystone::auth puts jtrove into Keystone's catalog and
# jtrove::keystone::authtoken makes the API validate Keystone's tokens; the openstack client, with Keystone's
# credentials only, reaches jtrove through the catalog.
keystone_phase() {
  local k="$work/keystone" password
  password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  mkdir -p "$k"
  # Keystone's database in the metadata MariaDB (SQLite answers 500 "database is locked" under Keystone's writes).
  mysql -e "CREATE DATABASE keystone; CREATE USER 'keystone'@'127.0.0.1' IDENTIFIED BY '$password';
            GRANT ALL PRIVILEGES ON keystone.* TO 'keystone'@'127.0.0.1'"
  cat > "$k/keystone.conf" <<CONF
[DEFAULT]
log_file = $k/keystone.log
[database]
connection = mysql+pymysql://keystone:$password@127.0.0.1:13306/keystone
[token]
provider = fernet
[fernet_tokens]
key_repository = $k/fernet-keys
[fernet_receipts]
key_repository = $k/fernet-receipts
[credential]
key_repository = $k/credential-keys
CONF
  km() { keystone-manage --config-file "$k/keystone.conf" "$@" >>"$k/manage.log" 2>&1 || { tail -n 30 "$k/manage.log" >&2; fail "keystone-manage $1"; }; }
  km db_sync
  km fernet_setup --keystone-user root --keystone-group root
  km credential_setup --keystone-user root --keystone-group root
  km bootstrap --bootstrap-password "$password" --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "http://127.0.0.1:$keystone_port/v3" --bootstrap-public-url "http://127.0.0.1:$keystone_port/v3" \
    --bootstrap-internal-url "http://127.0.0.1:$keystone_port/v3"
  keystone-wsgi-public --host 127.0.0.1 --port "$keystone_port" -- --config-file "$k/keystone.conf" >"$k/wsgi.log" 2>&1 &
  keystone_pid=$!
  for _ in $(seq 60); do curl -fsS -o /dev/null "http://127.0.0.1:$keystone_port/v3" 2>/dev/null && break; sleep 1; done
  curl -fsS -o /dev/null "http://127.0.0.1:$keystone_port/v3" || { tail -n 30 "$k/wsgi.log" >&2; fail "Keystone did not start"; }
  # puppet-keystone's providers read the admin's credentials, project and system scoped, from the clouds file
  # keystone::bootstrap would write.
  mkdir -p /etc/openstack/puppet
  cat > /etc/openstack/puppet/admin-clouds.yaml <<CLOUDS
clouds:
  project:
    auth:
      auth_url: http://127.0.0.1:$keystone_port/v3
      username: admin
      password: $password
      user_domain_name: Default
      project_name: admin
      project_domain_name: Default
    identity_api_version: 3
    region_name: RegionOne
  system:
    auth:
      auth_url: http://127.0.0.1:$keystone_port/v3
      username: admin
      password: $password
      user_domain_name: Default
      system_scope: all
    identity_api_version: 3
    region_name: RegionOne
CLOUDS
  chmod 0600 /etc/openstack/puppet/admin-clouds.yaml
  # The applies see Keystone's URL only (OS_AUTH_URL, as an operator's openrc gives it): puppet-keystone's providers
  # take the admin from the clouds file, and its password check of the service user (`openstack token issue` as
  # that user) would be scoped by any other OS_* variable, e.g. to the admin project, where it has no role.
  keystone_apply() { # keystone_apply EXPECTED-EXIT LABEL
    (
      while read -r v; do unset "$v"; done < <(compgen -e | grep '^OS_')
      export OS_AUTH_URL="http://127.0.0.1:$keystone_port/v3"
      FACTER_jtrove_identity=keystone FACTER_jtrove_keystone_url="http://127.0.0.1:$keystone_port" apply "$1" "$2"
    )
  }
  keystone_apply 2 keystone
  export OS_AUTH_URL="http://127.0.0.1:$keystone_port/v3" OS_USERNAME=admin OS_PASSWORD="$password" \
    OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3 \
    OS_REGION_NAME=RegionOne OS_INTERFACE=public
  expect_line "http://127.0.0.1:$api_port/v1.0/%(tenant_id)s" "Keystone's catalog has no database endpoint for jtrove" \
    openstack endpoint list --service database -f value -c URL
  expect_line service "the jtrove service user has no service role in the project services" \
    openstack role assignment list --user jtrove --user-domain Default --project services --project-domain Default \
    --names -f value -c Role
  expect_line mysql "the openstack client does not reach jtrove through Keystone's catalog" \
    openstack datastore list -f value -c Name
  expect_line db.small "no flavor db.small through Keystone" openstack database flavor list -f value -c Name
  openstack database instance list -f value >/dev/null || fail "instance list through Keystone"
  keystone_apply 0 keystone-again
  log "Keystone: jtrove in the catalog; the openstack client works with jtrove through it"
}
# expect_line LINE WHAT COMMAND...: COMMAND prints LINE (retried for a minute: Keystone and the API answer slowly
# on a busy host); otherwise its last output is shown and the test fails with WHAT.
expect_line() {
  local want="$1" what="$2" out=""
  shift 2
  for _ in $(seq 20); do
    out="$("$@" 2>&1)" && grep -qxF -- "$want" <<<"$out" && return 0
    sleep 3
  done
  printf '%s\n' "$out" >&2
  fail "$what"
}
apply() { # apply EXPECTED-EXIT LABEL
  local rc=0 started=$SECONDS
  puppet apply --detailed-exitcodes --color=false --modulepath "$module:/usr/share/puppet/modules" "$site" \
    >"$work/apply-$2.log" 2>&1 || rc=$?
  log "puppet apply ($2): exit $rc in $((SECONDS - started)) s"
  if [ "$rc" != "$1" ]; then
    grep -E 'Error|Warning|Notice: .*(changed|created|executed|removed|returns)' "$work/apply-$2.log" \
      | grep -v 'Facter: Permission denied' | head -80 >&2
    for s in api taskmanager conductor guestagent; do
      [ -d "/var/log/jtrove/$s" ] && { echo "--- $s log" >&2; tail -n 30 "/var/log/jtrove/$s/current" >&2; }
    done
    [ -f "$work/keystone/keystone.log" ] && grep -E 'ERROR|Error' "$work/keystone/keystone.log" | tail -n 10 >&2
    fail "puppet apply ($2) exited $rc, expected $1"
  fi
}
apply 2 first
# The API answers once its JVM is up (the services start at the end of the apply).
wait_api() {
  local code=""
  for _ in $(seq 120); do
    code="$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$api_port/" 2>/dev/null || true)"
    [[ "$code" =~ ^(200|300|401)$ ]] && return 0
    sleep 1
  done
  for s in api guestagent; do tail -n 40 "/var/log/jtrove/$s/current" >&2 2>/dev/null; done
  fail "port $api_port does not answer (last status: $code)"
}
wait_api
for _ in $(seq 60); do [ -s /var/lib/jtrove/openrc ] && break; sleep 1; done
[ -s /var/lib/jtrove/openrc ] || fail "no /var/lib/jtrove/openrc"
# shellcheck disable=SC1091
source /var/lib/jtrove/openrc
export OS_AUTH_URL="http://127.0.0.1:$api_port/v3"
openstack datastore version list mysql -f value -c Name | grep -qx 10.11 || fail "the mysql datastore version 10.11 is not registered"
openstack database flavor list -f value -c Name | grep -qx db.small || fail "the flavor db.small is not registered"

log "the exercise: a mysql instance"
openstack database instance create acc1 --flavor db.small --size 1 --datastore mysql --datastore-version 10.11 \
  --databases app --users alice:Acc-pass-1 >/dev/null
wait_active() {
  local status=""
  for _ in $(seq 150); do
    status="$(openstack database instance show acc1 -f value -c status 2>/dev/null || true)"
    [ "$status" = ACTIVE ] && return 0
    [ "$status" = ERROR ] && fail "instance acc1 is in ERROR: $(openstack database instance show acc1 -f json)"
    sleep 2
  done
  fail "instance acc1 is $status after 5 minutes"
}
wait_active
note_deployment_users
ip="$(openstack database instance show acc1 -f json | python3 -c 'import json,sys; d=json.load(sys.stdin); a=d.get("addresses") or d.get("ip"); print(a[0]["address"] if isinstance(a, list) and isinstance(a[0], dict) else (a[0] if isinstance(a, list) else a))')"
case "$ip" in 127.180.*) ;; *) fail "instance acc1 has address $ip, not one of 127.180.y.z";; esac
mysql -h "$ip" -u alice -pAcc-pass-1 app -e 'CREATE TABLE t (v INT PRIMARY KEY); INSERT INTO t VALUES (42)'
[ "$(mysql -h "$ip" -u alice -pAcc-pass-1 app -N -e 'SELECT v FROM t')" = 42 ] || fail "the mysql client cannot read its row back"
log "instance acc1 ACTIVE at $ip; the mysql client writes and reads"

# ---- 3. idempotency ------------------------------------------------------------------------------------------
apply 0 second

# ---- 4. one parameter changed: restarts through the anchor chain ---------------------------------------------
pids() { for s in api taskmanager conductor guestagent; do sv status "/etc/service/jtrove-$s" | sed -n 's/^run: [^(]*(pid \([0-9]*\)).*/\1/p'; done; }
before="$(pids | tr '\n' ' ')"
FACTER_jtrove_max_instances=7 apply 2 quota
after="$(pids | tr '\n' ' ')"
log "service pids before: $before after: $after"
for p in $before; do
  ! grep -qw "$p" <<<"$after" || fail "a service was not restarted by the configuration change (pid $p survives)"
done
grep -Eq '^max_instances_per_tenant ?= ?7$' /etc/jtrove/jtrove.conf || fail "max_instances_per_tenant is not 7 in jtrove.conf"
wait_api
project="$(openstack token issue -f value -c project_id)"
limit="$(openstack database quota show "$project" -f json | python3 -c 'import json,sys; print([r["Limit"] for r in json.load(sys.stdin) if r["Resource"]=="instances"][0])')"
[ "$limit" = 7 ] || fail "the instance quota is $limit after the change, not 7"
wait_active
[ "$(mysql -h "$ip" -u alice -pAcc-pass-1 app -N -e 'SELECT v FROM t')" = 42 ] || fail "acc1 lost its data over the restart"
log "quota change applied (services restarted, quota 7); acc1 still ACTIVE with its data"
openstack database instance delete acc1
for _ in $(seq 60); do openstack database instance show acc1 >/dev/null 2>&1 || break; sleep 2; done
! openstack database instance show acc1 >/dev/null 2>&1 || fail "acc1 is not deleted"

# ---- 5. against a real Keystone -------------------------------------------------------------------------------
if [ -z "${JTROVE_ACCEPTANCE_SKIP_KEYSTONE:-}" ]; then
  keystone_phase
fi

log "all passed"
echo "1 passed, 0 failed"
