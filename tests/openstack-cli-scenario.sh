#!/usr/bin/env bash
# End-to-end scenario through the real OpenStack CLI (python3-openstackclient + python3-troveclient).
#
# Starts `java -jar server/target/jtrove.jar server` on a fresh state directory and a free port, sources the
# openrc it writes (built-in Keystone v3 identity, admin user name + password), and drives everything through
# `openstack`, asserting the CLI's output (-f json / -f value) at every step. Data is checked by logging in to the
# created servers with psql / mariadb / redis-cli as the users the CLI created.
#
# Commands covered:
#   openstack datastore list
#   openstack datastore version list <datastore>
#   openstack database flavor list
#   openstack database instance create (--flavor --size --datastore --datastore-version --databases --users)
#   openstack database instance show
#   openstack database instance list
#   openstack database instance restart
#   openstack database instance delete (two instances in one call)
#   openstack database db create | db list | db delete
#   openstack database user create (--databases) | user list | user show
#   openstack database user show access | user revoke access | user grant access
#   openstack database user update attributes (--new_password)
#   openstack database user delete
#   openstack database root enable | root show | root disable (PostgreSQL's root is the superuser "root", as in Trove)
#   a mysql instance (Trove's "mysql" datastore, served by MariaDB) used with the real mysql client: utf8mb4 text,
#   a user named my.user shown and deleted by name, root
#   the same on a Redis instance (redis-cli), whose db/user commands fail with "not supported" (HTTP 501)
#   openstack database instance update --is-public | --is-private | --allowed-cidr (access enforced: mariadb and
#   psql refused from a source outside allowed_cidrs, admitted inside it, on the instance's address and on the
#   public address's port; jtrove's own db list still works)
#   openstack database configuration parameter list | parameter show | create | list | show | attach
#   openstack database configuration instances | default | parameter set | detach | delete
#   openstack database backup create (full, --incremental) | backup show | backup list | backup delete
#   openstack database instance create --backup (restore), checked with psql
#   openstack database instance create --replica-of | instance promote | instance eject (after kill -9 of the
#   source's server) | instance detach, checked with psql (rows replicated, a replica refuses writes)
#   admin reach: a member of another project (made with `jtrove manage`) creates an instance; the admin sees it
#   with `instance list --all-projects`, shows it, reboots it (`instance reboot`, the management route) and
#   deletes it; the member then no longer sees it, and its server, OS user and directory are gone
#   openstack database instance list with a wrong OS_PASSWORD (must fail)
#
# Output: "ok - <step>" per step and "N passed, 0 failed"; on the first failure "not ok - <step>: <details>",
# the tail of the server log, and exit status 1 (the work directory is then kept for inspection).
#
# Needs: java 17, a built server/target/jtrove.jar (mvn -B -q -DskipTests install), openstack (with the trove
# plugin), psql, mariadb, mysql, redis-cli, python3; run as root (jtrove starts the database servers as the user jtrove-db).
# Environment: JTROVE_CLI_ADDRESS_BASE (default 240): instances get addresses 127.<base>.y.z, and public instances
# are published on 127.<base>.255.255 (public_address).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/server/target/jtrove.jar"
address_base="${JTROVE_CLI_ADDRESS_BASE:-240}"
public_address="127.$address_base.255.255"
work="$(mktemp -d /tmp/jtrove-cli-XXXXXX)"
chmod 755 "$work"
log="$work/server.log"
state="$work/state"
server=""
step="start the server"
passed=0
failed_reported=0
out=""
err=""

# ---------------------------------------------------------------------------------------------------------------
# reporting and clean-up

cleanup() {
  local rc=$?
  set +e
  if [ "$rc" -ne 0 ] && [ "$failed_reported" -eq 0 ]; then
    echo "not ok - $step: unexpected exit status $rc"
    echo "--- last 40 lines of $log"
    tail -n 40 "$log" 2>/dev/null
    echo "$passed passed, 1 failed"
  fi
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$server" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  fi
  # database servers of this run (postgres -D $work/state/..., mariadbd --defaults-file=$work/state/...,
  # redis-server $work/state/.../redis.conf) and public forwarders (socat ... bind=$public_address): by pid
  local pids=() pid args
  while read -r pid args; do
    case "$args" in *"$state"*|socat*"bind=$public_address,"*) [ "$pid" != "$$" ] && pids+=("$pid") ;; esac
  done < <(ps -eo pid=,args=)
  if [ "${#pids[@]}" -gt 0 ]; then
    kill "${pids[@]}" 2>/dev/null
    for _ in $(seq 1 40); do
      local alive=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" -eq 0 ] && break
      sleep 0.5
    done
    kill -9 "${pids[@]}" 2>/dev/null
  fi
  # access rules of instances the run did not delete
  local dir
  for dir in "$state"/instances/*/; do
    [ -d "$dir" ] && nft delete table inet "jtrove_$(basename "$dir" | tr -d -)" 2>/dev/null
  done
  if [ "$rc" -eq 0 ]; then
    rm -rf "$work"
  else
    echo "work directory kept: $work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

begin() { step="$1"; }
ok() { echo "ok - $step"; passed=$((passed + 1)); }
fail() {
  failed_reported=1
  echo "not ok - $step: $*"
  echo "--- last 40 lines of $log"
  tail -n 40 "$log" 2>/dev/null || true
  echo "$passed passed, 1 failed"
  exit 1
}

# osc ARGS...: runs `openstack ARGS...`; stdout in $out, stderr in $err; returns openstack's exit status.
osc() {
  local rc=0
  out=$(timeout 120 openstack "$@" 2>"$work/osc.err") || rc=$?
  err=$(cat "$work/osc.err")
  return "$rc"
}
# must ARGS...: like osc, but a non-zero exit is a step failure.
must() {
  osc "$@" || fail "'openstack $*' exited non-zero: ${err:-$out}"
}
# expect PYEXPR DESCRIPTION: PYEXPR (python, over d = the JSON in $out) must be true.
expect() {
  python3 -c 'import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$out" "$1" 2>/dev/null || fail "$2; output was: $out"
}
# field PYEXPR: prints PYEXPR evaluated over d = the JSON in $out.
field() {
  python3 -c 'import json, sys
d = json.loads(sys.argv[1])
print(eval("(" + sys.argv[2] + ")"))' "$out" "$1"
}

# pg USER PASSWORD DB SQL: runs SQL on the PostgreSQL instance at $pg_ip; output unaligned, tuples only.
pg() {
  PGPASSWORD="$2" PGCONNECT_TIMEOUT=10 psql -X -w -q -tA -v ON_ERROR_STOP=1 -h "$pg_ip" -U "$1" -d "$3" -c "$4" 2>&1
}
# my USER PASSWORD DB SQL: runs SQL on the MariaDB instance at $my_ip; output batch, no column names.
my() {
  mariadb --no-defaults --connect-timeout=10 -h "$my_ip" -u "$1" -p"$2" -N -B "$3" -e "$4" 2>&1
}

# wait_status ID STATUS SECONDS: polls `instance show` until STATUS; ERROR (when not expected) or timeout fail.
wait_status() {
  local id=$1 want=$2 limit=$3 status=""
  local deadline=$((SECONDS + limit))
  while :; do
    must database instance show "$id" -f json
    status=$(field 'd["status"]') || fail "instance show gave no status: $out"
    [ "$status" = "$want" ] && return 0
    [ "$status" = ERROR ] && fail "instance $id went to ERROR while waiting for $want: $out"
    [ "$SECONDS" -ge "$deadline" ] && fail "instance $id still $status after ${limit}s (waiting for $want): $out"
    sleep 1
  done
}

# ---------------------------------------------------------------------------------------------------------------
# server start

[ -f "$jar" ] || fail "$jar is missing; build it with: cd $root && mvn -B -q -DskipTests install"
for tool in java openstack psql mariadb mysql redis-cli python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGSERVICEFILE PGPASSFILE
for v in $(env | sed -n 's/^\(OS_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
JTROVE_STATE_DIR="$state" JTROVE_PORT="$port" JTROVE_BIND_HOST=127.0.0.1 JTROVE_ADDRESS_BASE="$address_base" \
  JTROVE_PUBLIC_ADDRESS="$public_address" java -jar "$jar" server >"$log" 2>&1 &
server=$!

deadline=$((SECONDS + 120))
until [ -s "$state/openrc" ]; do
  kill -0 "$server" 2>/dev/null || fail "server exited before writing $state/openrc"
  [ "$SECONDS" -ge "$deadline" ] && fail "no $state/openrc after 120s"
  sleep 0.5
done
[ "$(stat -c %a "$state/openrc")" = 600 ] || fail "$state/openrc has mode $(stat -c %a "$state/openrc"), not 600"
sleep 0.2   # the file is written in one go, but give the writer a moment
# shellcheck disable=SC1091
. "$state/openrc"
[ "${OS_USERNAME:-}" = admin ] && [ -n "${OS_PASSWORD:-}" ] && [ "${OS_IDENTITY_API_VERSION:-}" = 3 ] \
  || fail "openrc does not export admin credentials for identity v3: $(sed 's/OS_PASSWORD=.*/OS_PASSWORD=***/' "$state/openrc")"
[ "${OS_AUTH_URL:-}" = "http://127.0.0.1:$port/v3" ] || fail "OS_AUTH_URL is '${OS_AUTH_URL:-}', not http://127.0.0.1:$port/v3"
deadline=$((SECONDS + 60))
until osc database flavor list -f json; do
  kill -0 "$server" 2>/dev/null || fail "server exited during start-up"
  [ "$SECONDS" -ge "$deadline" ] && fail "openstack database flavor list still failing after 60s: $err"
  sleep 1
done

# ---------------------------------------------------------------------------------------------------------------
# 1. catalog

begin "1.1 datastore list shows postgresql, mariadb and mysql"
must datastore list -f json
expect '{"postgresql", "mariadb", "mysql"} <= {x["Name"] for x in d}' "postgresql, mariadb or mysql missing"
must datastore version list mysql -f json
expect '[x["Name"] for x in d] == ["10.11-mariadb"]' "mysql is not served by the MariaDB 10.11 build"
ok

begin "1.2 datastore version list postgresql shows 15"
must datastore version list postgresql -f json
expect '"15" in [x["Name"] for x in d]' "version 15 missing"
ok

begin "1.3 database flavor list shows m1.tiny with 512 MB RAM"
must database flavor list -f json
expect '[x["RAM"] for x in d if x["Name"] == "m1.tiny"] == [512]' "no m1.tiny with RAM 512"
ok

# ---------------------------------------------------------------------------------------------------------------
# 2. PostgreSQL instance

begin "2.1 instance create postgresql 15 with database appdb and user bob"
must database instance create "cli-pg-$$" --flavor 1 --size 1 --datastore postgresql --datastore-version 15 \
  --databases appdb --users bob:bobpass1 -f json
expect 'd["name"] == "cli-pg-'$$'" and d["datastore"] == "postgresql" and d["datastore_version"] == "15"
  and d["status"] in ("BUILD", "ACTIVE") and str(d["flavor"]) == "1" and d["volume"] == 1' "unexpected create output"
pg_id=$(field 'd["id"]')
[ -n "$pg_id" ] || fail "no id in create output: $out"
ok

begin "2.2 instance show reaches ACTIVE (within 120 s) with a 127.$address_base.x.y address"
wait_status "$pg_id" ACTIVE 120
pg_ip=$(field 'd["ip"]')
[[ "$pg_ip" =~ ^127\.$address_base\.[0-9]+\.[0-9]+$ ]] || fail "ip '$pg_ip' is not 127.$address_base.x.y: $out"
expect '"'"$pg_ip"'" in [a["address"] for a in d["addresses"]]' "addresses does not contain $pg_ip"
expect 'd["id"] == "'"$pg_id"'" and d["datastore"] == "postgresql"' "show describes another instance"
ok

begin "2.3 instance list shows the instance ACTIVE at its address"
must database instance list -f json
expect '[(x["Status"], x["Datastore"], [a["address"] for a in x["Addresses"]]) for x in d if x["ID"] == "'"$pg_id"'"]
  == [("ACTIVE", "postgresql", ["'"$pg_ip"'"])]' "instance not listed as ACTIVE postgresql at $pg_ip"
ok

begin "2.4 psql as bob into appdb creates a table and a row"
res=$(pg bob bobpass1 appdb "CREATE TABLE notes (id int PRIMARY KEY, body text);
  INSERT INTO notes VALUES (1, 'hello from the cli scenario'); SELECT body FROM notes WHERE id = 1") \
  || fail "psql as bob failed: $res"
[ "$res" = "hello from the cli scenario" ] || fail "read back '$res'"
ok

# ---------------------------------------------------------------------------------------------------------------
# 3. databases

begin "3.1 db create reports"
must database db create "$pg_id" reports
ok

begin "3.2 db list shows appdb and reports"
must database db list "$pg_id" -f json
expect 'sorted(x["Name"] for x in d) == ["appdb", "reports"]' "db list is not exactly appdb, reports"
ok

begin "3.3 db delete reports; db list no longer shows it"
must database db delete "$pg_id" reports
must database db list "$pg_id" -f json
expect '[x["Name"] for x in d] == ["appdb"]' "db list after delete is not exactly appdb"
ok

# ---------------------------------------------------------------------------------------------------------------
# 4. users

begin "4.1 user create carol with access to appdb; carol can log in"
must database user create "$pg_id" carol carolpw1 --databases appdb
res=$(pg carol carolpw1 appdb "SELECT current_user") || fail "psql as carol failed: $res"
[ "$res" = carol ] || fail "current_user is '$res'"
ok

begin "4.2 user list shows bob and carol with appdb"
must database user list "$pg_id" -f json
expect '{x["Name"]: sorted(s.strip() for s in x["Databases"].split(",") if s.strip()) for x in d}
  == {"bob": ["appdb"], "carol": ["appdb"]}' "user list is not bob+carol with appdb"
ok

begin "4.3 user show carol"
must database user show "$pg_id" carol -f json
expect 'd["name"] == "carol" and d["host"] == "%" and [x["name"] for x in d["databases"]] == ["appdb"]' \
  "user show does not describe carol with appdb"
ok

begin "4.4 user show access carol lists appdb"
must database user show access "$pg_id" carol -f json
expect '[x["Name"] for x in d] == ["appdb"]' "access is not exactly appdb"
ok

begin "4.5 user revoke access carol appdb; access empty and carol cannot connect to appdb"
must database user revoke access "$pg_id" carol appdb
must database user show access "$pg_id" carol -f json
expect 'd == []' "access not empty after revoke"
if res=$(pg carol carolpw1 appdb "SELECT 1"); then fail "carol still connects to appdb after revoke: $res"; fi
ok

begin "4.6 user grant access carol appdb; access lists appdb and carol connects again"
must database user grant access "$pg_id" carol appdb
must database user show access "$pg_id" carol -f json
expect '[x["Name"] for x in d] == ["appdb"]' "access is not appdb after grant"
res=$(pg carol carolpw1 appdb "SELECT current_database()") || fail "carol cannot connect to appdb after grant: $res"
[ "$res" = appdb ] || fail "current_database is '$res'"
ok

begin "4.7 user update attributes carol --new_password; new password works, old one does not"
must database user update attributes "$pg_id" carol --new_password carolpw2
res=$(pg carol carolpw2 appdb "SELECT current_user") || fail "login with the new password failed: $res"
[ "$res" = carol ] || fail "current_user is '$res'"
if res=$(pg carol carolpw1 appdb "SELECT 1"); then fail "the old password still works: $res"; fi
ok

begin "4.8 user delete carol; user list no longer shows her"
must database user delete "$pg_id" carol
must database user list "$pg_id" -f json
expect '[x["Name"] for x in d] == ["bob"]' "user list after delete is not exactly bob"
if res=$(pg carol carolpw2 appdb "SELECT 1"); then fail "carol can still log in after delete: $res"; fi
ok

# ---------------------------------------------------------------------------------------------------------------
# 5. root

begin "5.1 root show is False before enable"
must database root show "$pg_id" -f value -c is_root_enabled
[ "$out" = False ] || fail "root show printed '$out'"
ok

begin "5.2 root enable prints root and a password that logs in as a superuser"
must database root enable "$pg_id" -f json
expect 'd["name"] == "root" and len(d["password"]) >= 8' "root enable output is not root + password"
root_pw=$(field 'd["password"]')
res=$(pg root "$root_pw" postgres "SELECT current_user || ' ' || rolsuper FROM pg_roles WHERE rolname = current_user") \
  || fail "psql as root with the root password failed: $res"
[ "$res" = "root true" ] || fail "expected superuser root, got '$res'"
ok

begin "5.3 root show is True"
must database root show "$pg_id" -f value -c is_root_enabled
[ "$out" = True ] || fail "root show printed '$out'"
ok

begin "5.4 root disable; root show is False and the root password no longer logs in"
must database root disable "$pg_id"
must database root show "$pg_id" -f value -c is_root_enabled
[ "$out" = False ] || fail "root show printed '$out'"
if res=$(pg root "$root_pw" postgres "SELECT 1"); then fail "root still logs in: $res"; fi
ok

# ---------------------------------------------------------------------------------------------------------------
# 6. restart

begin "6.1 instance restart; back to ACTIVE with the server restarted and bob's row intact"
started=$(pg bob bobpass1 appdb "SELECT pg_postmaster_start_time()") || fail "psql as bob failed: $started"
must database instance restart "$pg_id"
deadline=$((SECONDS + 120))
while :; do
  wait_status "$pg_id" ACTIVE $((deadline - SECONDS > 0 ? deadline - SECONDS : 1))
  now=$(pg bob bobpass1 appdb "SELECT pg_postmaster_start_time()") && [ "$now" != "$started" ] && break
  [ "$SECONDS" -ge "$deadline" ] && fail "ACTIVE but the server was not restarted (start time still $started): $now"
  sleep 1
done
res=$(pg bob bobpass1 appdb "SELECT body FROM notes WHERE id = 1") || fail "psql as bob after restart failed: $res"
[ "$res" = "hello from the cli scenario" ] || fail "read back '$res' after restart"
ok

# ---------------------------------------------------------------------------------------------------------------
# 6b. configuration groups (on the PostgreSQL instance)

begin "6.2 configuration parameter list and parameter show for postgresql 15"
must database configuration parameter list 15 --datastore postgresql -f json
expect '[(x["Type"], x["Restart Required"]) for x in d if x["Name"] == "work_mem"] == [("integer", False)]' \
  "work_mem is not a dynamic integer parameter"
expect '[x["Restart Required"] for x in d if x["Name"] == "max_connections"] == [True]' \
  "max_connections is not restart-required"
must database configuration parameter show 15 max_connections --datastore postgresql -f json
expect 'd["name"] == "max_connections" and d["restart_required"] is True and d["type"] == "integer"' \
  "parameter show does not describe max_connections"
ok

begin "6.3 configuration create (work_mem, max_connections); list and show describe it"
must database configuration create "cli-cfg-$$" '{"work_mem": 8192, "max_connections": 77}' \
  --datastore postgresql --datastore-version 15 -f json
cfg_id=$(field 'd["id"]')
expect 'json.loads(d["values"]) == {"work_mem": 8192, "max_connections": 77}' "create does not echo the values"
must database configuration list -f json
expect '[(x["Name"], x["Datastore Name"]) for x in d if x["ID"] == "'"$cfg_id"'"] == [("cli-cfg-'$$'", "postgresql")]' \
  "the group is not listed"
must database configuration show "$cfg_id" -f json
expect 'd["name"] == "cli-cfg-'$$'" and d["instance_count"] == 0' "show does not describe the new group"
ok

begin "6.4 configuration create with an unknown parameter fails with HTTP 422"
if osc database configuration create "cli-bad-$$" '{"no_such_parameter": 1}' --datastore postgresql \
  --datastore-version 15; then fail "created a group with an unknown parameter: $out"; fi
grep -q "422" <<<"$err" || fail "expected an HTTP 422 error, got: $err"
ok

begin "6.5 configuration attach: work_mem is live at once, the instance is RESTART_REQUIRED"
must database configuration attach "$pg_id" "$cfg_id"
res=$(pg bob bobpass1 appdb "SHOW work_mem") || fail "psql as bob failed: $res"
[ "$res" = 8MB ] || fail "work_mem is '$res' after attach, not 8MB"
wait_status "$pg_id" RESTART_REQUIRED 30
must database configuration instances "$cfg_id" -f json
expect '[x["ID"] for x in d] == ["'"$pg_id"'"]' "configuration instances does not list the instance"
ok

begin "6.6 instance restart: max_connections 77 in effect; configuration default shows the values"
must database instance restart "$pg_id"
wait_status "$pg_id" ACTIVE 120
res=$(pg bob bobpass1 appdb "SHOW max_connections") || fail "psql as bob failed: $res"
[ "$res" = 77 ] || fail "max_connections is '$res' after the restart, not 77"
must database configuration default "$pg_id" -f json
expect 'str(d["max_connections"]) == "77" and str(d["work_mem"]) == "8192"' "default does not show the group's values"
ok

begin "6.7 configuration parameter set work_mem 16384: live at once"
must database configuration parameter set "$cfg_id" '{"work_mem": 16384}'
res=$(pg bob bobpass1 appdb "SHOW work_mem") || fail "psql as bob failed: $res"
[ "$res" = 16MB ] || fail "work_mem is '$res' after parameter set, not 16MB"
ok

begin "6.8 configuration delete fails while attached; detach resets work_mem; then delete succeeds"
if osc database configuration delete "$cfg_id"; then fail "deleted a group attached to an instance"; fi
must database configuration detach "$pg_id"
res=$(pg bob bobpass1 appdb "SHOW work_mem") || fail "psql as bob failed: $res"
[ "$res" = 2MB ] || fail "work_mem is '$res' after detach, not the flavor's 2MB"
must database configuration delete "$cfg_id"
must database configuration list -f json
expect 'all(x["ID"] != "'"$cfg_id"'" for x in d)' "the deleted group is still listed"
ok

# ---------------------------------------------------------------------------------------------------------------
# 6c. backups and restore (on the PostgreSQL instance)

# wait_backup ID SECONDS: polls `backup show` until COMPLETED; FAILED or timeout fail.
wait_backup() {
  local id=$1 limit=$2 status=""
  local deadline=$((SECONDS + limit))
  while :; do
    must database backup show "$id" -f json
    status=$(field 'd["status"]') || fail "backup show gave no status: $out"
    [ "$status" = COMPLETED ] && return 0
    [ "$status" = FAILED ] && fail "backup $id FAILED: $out"
    [ "$SECONDS" -ge "$deadline" ] && fail "backup $id still $status after ${limit}s: $out"
    sleep 1
  done
}

begin "6c.1 backup create (full); COMPLETED within 120 s with a size and the datastore; backup list shows it"
must database backup create cli-full -i "$pg_id" -f json
expect 'd["status"] == "NEW" and d["instance_id"] == "'"$pg_id"'"' "backup create did not answer a NEW backup"
full_id=$(field 'd["id"]')
wait_backup "$full_id" 120
expect 'd["size"] > 0 and d["datastore"] == "postgresql" and not d.get("parent_id")' "the full backup's fields"
must database backup list -f json
expect '[x["Name"] for x in d if x["ID"] == "'"$full_id"'"] == ["cli-full"]' "backup list does not show cli-full"
ok

begin "6c.2 a second row, then backup create --incremental; its parent is the full backup"
res=$(pg bob bobpass1 appdb "INSERT INTO notes VALUES (2, 'after the full backup'); SELECT count(*) FROM notes") \
  || fail "psql as bob failed: $res"
[ "$res" = 2 ] || fail "expected 2 rows, got '$res'"
must database backup create cli-inc -i "$pg_id" --incremental -f json
inc_id=$(field 'd["id"]')
wait_backup "$inc_id" 120
expect 'd["parent_id"] == "'"$full_id"'"' "the incremental backup's parent is not the full one"
ok

begin "6c.3 instance create --backup (the incremental); ACTIVE; bob reads both rows there"
must database instance create "cli-restored-$$" --flavor 1 --size 1 --backup "$inc_id" -f json
restored_id=$(field 'd["id"]')
wait_status "$restored_id" ACTIVE 180
restored_ip=$(field 'd["ip"]')
res=$(PGPASSWORD=bobpass1 PGCONNECT_TIMEOUT=10 psql -X -w -q -tA -h "$restored_ip" -U bob -d appdb \
  -c "SELECT string_agg(body, '|' ORDER BY id) FROM notes" 2>&1) || fail "psql on the restored instance failed: $res"
[ "$res" = "hello from the cli scenario|after the full backup" ] || fail "the restored instance holds '$res'"
ok

begin "6c.4 backup delete (the full one) also deletes the incremental built on it"
must database backup delete "$full_id"
deadline=$((SECONDS + 30))
while :; do
  must database backup list -f value -c ID
  grep -q -e "$full_id" -e "$inc_id" <<<"$out" || break
  [ "$SECONDS" -ge "$deadline" ] && fail "still listed after 30s: $out"
  sleep 1
done
must database instance delete "$restored_id"
ok

# ---------------------------------------------------------------------------------------------------------------
# 7. MariaDB instance

begin "7.1 instance create mariadb 10.11 with database shop and user mallory"
must database instance create "cli-my-$$" --flavor 1 --size 1 --datastore mariadb --datastore-version 10.11 \
  --databases shop --users mallory:mallorypw1 -f json
expect 'd["name"] == "cli-my-'$$'" and d["datastore"] == "mariadb" and d["datastore_version"] == "10.11"
  and d["status"] in ("BUILD", "ACTIVE")' "unexpected create output"
my_id=$(field 'd["id"]')
ok

begin "7.2 instance show reaches ACTIVE (within 120 s) with its own 127.$address_base.x.y address"
wait_status "$my_id" ACTIVE 120
my_ip=$(field 'd["ip"]')
[[ "$my_ip" =~ ^127\.$address_base\.[0-9]+\.[0-9]+$ ]] || fail "ip '$my_ip' is not 127.$address_base.x.y: $out"
[ "$my_ip" != "$pg_ip" ] || fail "both instances got $my_ip"
ok

begin "7.3 db list shows shop, user list shows mallory with shop"
must database db list "$my_id" -f json
expect '[x["Name"] for x in d] == ["shop"]' "db list is not exactly shop"
must database user list "$my_id" -f json
expect '[(x["Name"], x["Databases"]) for x in d] == [("mallory", "shop")]' "user list is not mallory with shop"
ok

begin "7.4 mariadb as mallory into shop: select 1 and a table with a row"
res=$(my mallory mallorypw1 shop 'select 1') || fail "mariadb as mallory failed: $res"
[ "$res" = 1 ] || fail "select 1 returned '$res'"
res=$(my mallory mallorypw1 shop "CREATE TABLE items (id int PRIMARY KEY, name varchar(40));
  INSERT INTO items VALUES (1, 'widget'); SELECT name FROM items") || fail "mariadb as mallory failed: $res"
[ "$res" = widget ] || fail "read back '$res'"
ok

begin "7.5 root enable prints root and a password that logs in; root show is True"
must database root enable "$my_id" -f json
expect 'd["name"] == "root" and len(d["password"]) >= 8' "root enable output is not root + password"
my_root_pw=$(field 'd["password"]')
res=$(my root "$my_root_pw" shop 'SELECT current_user(), (SELECT count(*) FROM items)') \
  || fail "mariadb as root failed: $res"
[ "$res" = "$(printf 'root@%%\t1')" ] || fail "expected 'root@%<TAB>1', got '$res'"
must database root show "$my_id" -f value -c is_root_enabled
[ "$out" = True ] || fail "root show printed '$out'"
ok

# ---------------------------------------------------------------------------------------------------------------
# 7a. mysql instance (Trove's mysql datastore, served by the MariaDB build), used with the real mysql client

# mq USER PASSWORD DB SQL: the mysql client on the mysql instance at $mq_ip; batch output, no column names.
mq() {
  MYSQL_PWD="$2" mysql --no-defaults --connect-timeout=10 --default-character-set=utf8mb4 -h "$mq_ip" -u "$1" -N -B \
    ${3:+"$3"} -e "$4" 2>&1
}

begin "7a.1 instance create mysql 10.11-mariadb with database orders and user my.user; ACTIVE within 120 s"
must database instance create "cli-mq-$$" --flavor 1 --size 1 --datastore mysql --datastore-version 10.11-mariadb \
  --databases orders --users my.user:Passw0rd-123 -f json
expect 'd["datastore"] == "mysql" and d["datastore_version"] == "10.11-mariadb"' "unexpected create output"
mq_id=$(field 'd["id"]')
wait_status "$mq_id" ACTIVE 120
mq_ip=$(field 'd["ip"]')
ok

begin "7a.2 mysql as my.user: a utf8mb4 table holds '中文'"
res=$(mq my.user Passw0rd-123 orders "CREATE TABLE o (id INT PRIMARY KEY, note VARCHAR(20));
  INSERT INTO o VALUES (1, '中文'); SELECT note FROM o; SELECT @@character_set_database") \
  || fail "mysql as my.user failed: $res"
[ "$res" = "$(printf '中文\nutf8mb4')" ] || fail "read back '$res'"
ok

begin "7a.3 user list and user show my.user; user delete app.reader by its dotted name"
must database user list "$mq_id" -f json
expect '[(x["Name"], x["Host"], x["Databases"]) for x in d] == [("my.user", "%", "orders")]' "user list is not my.user"
must database user show "$mq_id" my.user -f json
expect 'd["name"] == "my.user" and [x["name"] for x in d["databases"]] == ["orders"]' "user show does not describe my.user"
must database user create "$mq_id" app.reader Reader-pw-1 --databases orders
res=$(mq app.reader Reader-pw-1 orders "SELECT count(*) FROM o") || fail "mysql as app.reader failed: $res"
[ "$res" = 1 ] || fail "app.reader counted '$res'"
must database user delete "$mq_id" app.reader
must database user list "$mq_id" -f json
expect '[x["Name"] for x in d] == ["my.user"]' "app.reader is still listed"
ok

begin "7a.4 root enable on mysql; mysql -u root reads my.user's table"
must database root enable "$mq_id" -f json
expect 'd["name"] == "root"' "root enable did not name root"
mq_root_pw=$(field 'd["password"]')
res=$(mq root "$mq_root_pw" orders "SELECT CONCAT(current_user(), ' ', note) FROM o") || fail "mysql as root failed: $res"
[ "$res" = "root@% 中文" ] || fail "expected 'root@% 中文', got '$res'"
ok

# ---------------------------------------------------------------------------------------------------------------
# 7b. Redis instance: no databases or users; root is the default user's password

# rc ARGS...: redis-cli on the Redis instance at $rd_ip (no password unless ARGS give one).
rc() {
  env -u REDISCLI_AUTH timeout 10 redis-cli -h "$rd_ip" -p 6379 "$@" 2>&1
}

begin "7b.1 instance create redis 7.0; ACTIVE (within 120 s); redis-cli sets and gets a key without a password"
must database instance create "cli-rd-$$" --flavor 1 --size 1 --datastore redis --datastore-version 7.0 -f json
rd_id=$(field 'd["id"]')
wait_status "$rd_id" ACTIVE 120
rd_ip=$(field 'd["ip"]')
[ "$(rc SET cli-key cli-value)" = OK ] || fail "redis-cli SET failed: $(rc SET cli-key cli-value)"
[ "$(rc GET cli-key)" = cli-value ] || fail "redis-cli GET returned '$(rc GET cli-key)'"
ok

begin "7b.2 db list and user create fail as not supported for redis"
if osc database db list "$rd_id" -f json; then fail "db list succeeded on redis: $out"; fi
grep -q "not supported for the 'redis' datastore" <<<"$err" || fail "db list error was: $err"
if osc database user create "$rd_id" eve evepass1; then fail "user create succeeded on redis: $out"; fi
grep -q "501" <<<"$err" || fail "user create error was not HTTP 501: $err"
ok

begin "7b.3 root enable on redis; redis-cli needs the password (NOAUTH without it); root show is True"
must database root enable "$rd_id" -f json
expect 'd["name"] == "default" and len(d["password"]) >= 8' "root enable output is not default + password"
rd_root_pw=$(field 'd["password"]')
res=$(rc GET cli-key)
grep -q NOAUTH <<<"$res" || fail "redis-cli without a password answered '$res'"
res=$(REDISCLI_AUTH="$rd_root_pw" timeout 10 redis-cli -h "$rd_ip" -p 6379 GET cli-key 2>&1)
[ "$res" = cli-value ] || fail "redis-cli with the root password answered '$res'"
must database root show "$rd_id" -f value -c is_root_enabled
[ "$out" = True ] || fail "root show printed '$out'"
ok

# ---------------------------------------------------------------------------------------------------------------
# 7c. access: is_public and allowed_cidrs, enforced on the host (the clients here connect from 127.0.0.1)

# wait_access ID PYEXPR: polls `instance show` until the update task has ended (ACTIVE and HEALTHY again, or
# RESTART_REQUIRED when a configuration change still waits for a restart) and PYEXPR holds over d.
wait_access() {
  local id=$1 cond=$2
  local deadline=$((SECONDS + 60))
  while :; do
    must database instance show "$id" -f json
    if python3 -c 'import json, sys
d = json.loads(sys.argv[1])
done = d["status"] == "RESTART_REQUIRED" or (d["status"] == "ACTIVE" and d["operating_status"] == "HEALTHY")
sys.exit(0 if done and eval("(" + sys.argv[2] + ")") else 1)' \
      "$out" "$cond" 2>/dev/null; then
      return 0
    fi
    [ "$(field 'd["status"]')" = ERROR ] && fail "instance $id went to ERROR during an access update: $out"
    [ "$SECONDS" -ge "$deadline" ] && fail "the access of $id is not ($cond) after 60s: $out"
    sleep 1
  done
}
# my_at HOST PORT: mariadb as mallory (from 127.0.0.1) at HOST:PORT, reading the widget back.
my_at() {
  mariadb --no-defaults --connect-timeout=10 -h "$1" -P "$2" -u mallory -pmallorypw1 -N -B shop \
    -e 'SELECT name FROM items' 2>&1
}

begin "7c.1 instance update --is-public --allowed-cidr 127.0.0.2/32: public on $public_address, shown as such"
must database instance update "$my_id" --is-public --allowed-cidr 127.0.0.2/32
wait_access "$my_id" 'd["public"] is True and d["allowed_cidrs"] == ["127.0.0.2/32"]
  and [a["address"] for a in d["addresses"] if a["type"] == "public"] == ["'"$public_address"'"]'
my_public_port=$(field '[a["port"] for a in d["addresses"] if a["type"] == "public"][0]')
ok

begin "7c.2 mariadb from 127.0.0.1 is refused on the instance's address and on the public port; db list still works"
if res=$(my_at "$my_ip" 3306); then fail "mariadb connected from outside allowed_cidrs: $res"; fi
grep -q "Can't connect" <<<"$res" || fail "mariadb did not report a refused connection: $res"
if res=$(my_at "$public_address" "$my_public_port"); then fail "mariadb connected to the public port: $res"; fi
must database db list "$my_id" -f json
expect '"shop" in [x["Name"] for x in d]' "db list (jtrove's own connection) does not show shop"
ok

begin "7c.3 instance update --allowed-cidr 127.0.0.1/32: mariadb reads the row on both paths; still public"
must database instance update "$my_id" --allowed-cidr 127.0.0.1/32
wait_access "$my_id" 'd["public"] is True and d["allowed_cidrs"] == ["127.0.0.1/32"]'
res=$(my_at "$my_ip" 3306) || fail "mariadb at the instance's address failed: $res"
[ "$res" = widget ] || fail "read back '$res' at $my_ip"
res=$(my_at "$public_address" "$my_public_port") || fail "mariadb at the public port failed: $res"
[ "$res" = widget ] || fail "read back '$res' at $public_address:$my_public_port"
ok

begin "7c.4 psql is refused by the PostgreSQL instance outside allowed_cidrs, a backup still completes, 0.0.0.0/0 admits"
must database instance update "$pg_id" --allowed-cidr 127.0.0.2/32
wait_access "$pg_id" 'd["allowed_cidrs"] == ["127.0.0.2/32"] and d["public"] is False'
if res=$(pg bob bobpass1 appdb "SELECT 1"); then fail "psql connected from outside allowed_cidrs: $res"; fi
grep -q "Connection refused" <<<"$res" || fail "psql did not report a refused connection: $res"
must database backup create cli-restricted -i "$pg_id" -f json
restricted_backup=$(field 'd["id"]')
wait_backup "$restricted_backup" 120
must database backup delete "$restricted_backup"
must database instance update "$pg_id" --allowed-cidr 0.0.0.0/0
wait_access "$pg_id" 'd["allowed_cidrs"] == ["0.0.0.0/0"]'
res=$(pg bob bobpass1 appdb "SELECT body FROM notes WHERE id = 1") || fail "psql failed after 0.0.0.0/0: $res"
[ "$res" = "hello from the cli scenario" ] || fail "read back '$res'"
ok

begin "7c.5 instance update --is-private: no public address any more and nothing listens on the public port"
must database instance update "$my_id" --is-private
wait_access "$my_id" 'd["public"] is False and all(a["type"] != "public" for a in d["addresses"])'
if res=$(my_at "$public_address" "$my_public_port"); then fail "the public port still answers: $res"; fi
res=$(my_at "$my_ip" 3306) || fail "mariadb at the instance's address failed: $res"
ok

begin "7c.6 instance update --allowed-cidr with a malformed network fails with HTTP 400 and changes nothing"
if osc database instance update "$my_id" --allowed-cidr 10.0.0.1/8; then fail "accepted 10.0.0.1/8: $out"; fi
grep -q "400" <<<"$err" || fail "expected an HTTP 400 error, got: $err"
must database instance show "$my_id" -f json
expect 'd["allowed_cidrs"] == ["127.0.0.1/32"]' "the access changed after a refused update"
ok

# ---------------------------------------------------------------------------------------------------------------
# 7d. replicas (PostgreSQL): create --replica-of, promote, eject (after the source's server died), detach

# pg_on IP SQL: runs SQL as bob on appdb of the PostgreSQL instance at IP.
pg_on() {
  PGPASSWORD=bobpass1 PGCONNECT_TIMEOUT=10 psql -X -w -q -tA -v ON_ERROR_STOP=1 -h "$1" -U bob -d appdb -c "$2" 2>&1
}
# ip_of ID: the instance's address (instance show).
ip_of() {
  must database instance show "$1" -f json
  field 'd["ip"]'
}
# wait_rows IP N: waits (30 s) until the notes table at IP has N rows.
wait_rows() {
  local deadline=$((SECONDS + 30)) res=""
  until res=$(pg_on "$1" "SELECT count(*) FROM notes") && [ "$res" = "$2" ]; do
    [ "$SECONDS" -ge "$deadline" ] && fail "notes at $1 has '$res' rows after 30s, not $2"
    sleep 1
  done
}
# wait_set ID PYEXPR SECONDS [STATUS]: polls `instance show` until STATUS (default ACTIVE) and PYEXPR holds.
wait_set() {
  local deadline=$((SECONDS + $3))
  while :; do
    must database instance show "$1" -f json
    [ "$(field 'd["status"]')" = ERROR ] && fail "instance $1 went to ERROR: $out"
    python3 -c 'import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if d["status"] == sys.argv[3] and eval("(" + sys.argv[2] + ")") else 1)' "$out" "$2" "${4:-ACTIVE}" \
      2>/dev/null && return 0
    [ "$SECONDS" -ge "$deadline" ] && fail "instance $1 not ACTIVE with $2 after $3 s: $out"
    sleep 1
  done
}

begin "7d.1 instance create --replica-of (twice) of the source still running the detached group's max_connections 77: ACTIVE replicas following it; a replica refuses writes"
must database instance create "cli-rep1-$$" --replica-of "$pg_id" -f json
expect 'd["replica_of"] == "'"$pg_id"'"' "create --replica-of did not answer replica_of $pg_id"
rep1_id=$(field 'd["id"]')
must database instance create "cli-rep2-$$" --replica-of "$pg_id" -f json
rep2_id=$(field 'd["id"]')
wait_set "$rep1_id" 'd["replica_of"] == "'"$pg_id"'"' 180
wait_set "$rep2_id" 'd["replica_of"] == "'"$pg_id"'"' 180
wait_set "$pg_id" 'sorted(d["replicas"].split(", ")) == sorted(["'"$rep1_id"'", "'"$rep2_id"'"])' 30 RESTART_REQUIRED
rep1_ip=$(ip_of "$rep1_id")
rep2_ip=$(ip_of "$rep2_id")
pg_on "$pg_ip" "INSERT INTO notes (id, body) VALUES (71, 'for the replicas')" >/dev/null || fail "insert on the source failed"
rows=$(pg_on "$pg_ip" "SELECT count(*) FROM notes")
wait_rows "$rep1_ip" "$rows"
wait_rows "$rep2_ip" "$rows"
if res=$(pg_on "$rep1_ip" "INSERT INTO notes (id, body) VALUES (172, 'x')"); then fail "a replica took a write: $res"; fi
grep -q "read-only" <<<"$res" || fail "the replica's refusal does not say read-only: $res"
must database instance restart "$pg_id"   # the source drops to the flavor's max_connections; its replicas follow on
wait_status "$pg_id" ACTIVE 120
pg_on "$pg_ip" "INSERT INTO notes (id, body) VALUES (72, 'after the restart')" >/dev/null || fail "insert after the restart failed"
rows=$((rows + 1))
wait_rows "$rep1_ip" "$rows"
wait_rows "$rep2_ip" "$rows"
ok

begin "7d.2 instance promote (replica 1): it is the source; the old source and replica 2 follow it; nothing lost"
must database instance promote "$rep1_id"
wait_set "$rep1_id" '"replica_of" not in d and sorted(d["replicas"].split(", ")) == sorted(["'"$pg_id"'", "'"$rep2_id"'"])' 120
wait_set "$pg_id" 'd.get("replica_of") == "'"$rep1_id"'"' 60
wait_set "$rep2_id" 'd.get("replica_of") == "'"$rep1_id"'"' 60
pg_on "$rep1_ip" "INSERT INTO notes (id, body) VALUES (73, 'after the promote')" >/dev/null \
  || fail "insert on the promoted replica failed"
rows=$((rows + 1))
wait_rows "$pg_ip" "$rows"
wait_rows "$rep2_ip" "$rows"
ok

begin "7d.3 kill -9 of the source's server, then instance eject: the most advanced replica takes over, the other follows it"
if osc database instance eject "$rep1_id"; then fail "eject of a healthy source succeeded"; fi
kill -9 "$(cat "$state/instances/$rep1_id/agent/server.pid")" || fail "cannot kill the source's server"
deadline=$((SECONDS + 60))
until osc database instance eject "$rep1_id"; do
  [ "$SECONDS" -ge "$deadline" ] && fail "eject still refused 60 s after the source's server died: $err"
  sleep 1
done
leader=""
deadline=$((SECONDS + 120))
while [ -z "$leader" ]; do
  for id in "$pg_id" "$rep2_id"; do
    must database instance show "$id" -f json
    python3 -c 'import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if d["status"] == "ACTIVE" and "replica_of" not in d and d.get("replicas") else 1)' "$out" && leader=$id
  done
  [ -n "$leader" ] && break
  [ "$SECONDS" -ge "$deadline" ] && fail "no replica took over within 120 s: $out"
  sleep 1
done
follower=$([ "$leader" = "$pg_id" ] && echo "$rep2_id" || echo "$pg_id")
wait_set "$follower" 'd.get("replica_of") == "'"$leader"'"' 60
leader_ip=$(ip_of "$leader")
follower_ip=$(ip_of "$follower")
pg_on "$leader_ip" "INSERT INTO notes (id, body) VALUES (74, 'after the eject')" >/dev/null || fail "insert on the new source failed"
rows=$((rows + 1))
wait_rows "$follower_ip" "$rows"
ok

begin "7d.4 instance detach: the follower is a writable standalone instance; the source lists no replicas"
must database instance detach "$follower"
wait_set "$follower" '"replica_of" not in d' 120
wait_set "$leader" 'not d.get("replicas")' 30
pg_on "$follower_ip" "INSERT INTO notes (id, body) VALUES (75, 'detached')" >/dev/null || fail "insert on the detached replica failed"
must database instance delete "$rep1_id" "$( [ "$pg_id" = "$leader" ] && echo "$rep2_id" || echo "$pg_id")"
pg_id=$leader
pg_ip=$leader_ip
ok

# ---------------------------------------------------------------------------------------------------------------
# 8. delete

begin "8.1 instance delete all four; instance list no longer shows them (within 60 s), no access rules are left"
must database instance delete "$pg_id" "$my_id" "$mq_id" "$rd_id"
for id in "$pg_id" "$my_id" "$mq_id" "$rd_id"; do
  grep -q "$id" <<<"$out$err" || fail "delete output does not mention $id: $out $err"
done
deadline=$((SECONDS + 60))
while :; do
  must database instance list -f value -c ID
  grep -q -e "$pg_id" -e "$my_id" -e "$mq_id" -e "$rd_id" <<<"$out" || break
  [ "$SECONDS" -ge "$deadline" ] && fail "still listed after 60s: $out"
  sleep 1
done
if osc database instance show "$pg_id" -f json; then fail "instance show $pg_id still succeeds: $out"; fi
tables=$(nft list tables 2>&1) || fail "nft list tables failed: $tables"
for id in "$pg_id" "$my_id" "$rd_id"; do
  grep -q "jtrove_${id//-/}" <<<"$tables" && fail "the access rules of $id are still there: $tables"
done
ok

# ---------------------------------------------------------------------------------------------------------------
# 8b. an admin reaches a member's instance in another project

# manage ARGS...: `jtrove manage` on this server's state directory (it works while the server runs).
manage() {
  JTROVE_STATE_DIR="$state" java -jar "$jar" manage "$@" >>"$work/manage.log" 2>&1 \
    || fail "'jtrove manage $*' failed: $(tail -5 "$work/manage.log")"
}
# as_member ARGS...: osc as the member of project cli-team.
as_member() {
  OS_USERNAME=cli-member OS_PASSWORD="$member_pw" OS_PROJECT_NAME=cli-team osc "$@"
}

begin "8b.1 a member of project cli-team creates an instance; the admin sees it with instance list --all-projects"
member_pw="member-pw-$$-$RANDOM"
manage project-create cli-team
printf '%s\n' "$member_pw" | manage user-create cli-member
manage role-add cli-member cli-team member
as_member database instance create "cli-member-$$" --flavor 1 --size 1 --datastore postgresql --datastore-version 15 \
  --databases memdb --users mem:mempw123 -f json || fail "the member's instance create failed: ${err:-$out}"
mem_id=$(field 'd["id"]')
as_member token issue -f value -c project_id || fail "token issue as the member failed: $err"
member_project=$out
wait_status "$mem_id" ACTIVE 120   # the admin's `instance show` of the member's instance
mem_ip=$(field 'd["ip"]')
must database instance list --all-projects -f json
expect '[x["Tenant ID"] for x in d if x["ID"] == "'"$mem_id"'"] == ["'"$member_project"'"]' \
  "the member's instance is not listed with its project"
must database instance list -f json
expect 'all(x["ID"] != "'"$mem_id"'" for x in d)' "the admin's own instance list shows the member's instance"
ok

begin "8b.2 the admin reboots the member's instance (instance reboot): ACTIVE again with a restarted server"
started=$(PGPASSWORD=mempw123 psql -X -w -q -tA -h "$mem_ip" -U mem -d memdb -c "SELECT pg_postmaster_start_time()" 2>&1) \
  || fail "psql as the member's user failed: $started"
must database instance reboot "$mem_id"
deadline=$((SECONDS + 120))
while :; do
  wait_status "$mem_id" ACTIVE $((deadline - SECONDS > 0 ? deadline - SECONDS : 1))
  now=$(PGPASSWORD=mempw123 psql -X -w -q -tA -h "$mem_ip" -U mem -d memdb -c "SELECT pg_postmaster_start_time()" 2>&1) \
    && [ "$now" != "$started" ] && break
  [ "$SECONDS" -ge "$deadline" ] && fail "ACTIVE but the server was not restarted (start time still $started): $now"
  sleep 1
done
ok

begin "8b.3 the admin deletes the member's instance: gone for the member; server stopped, OS user and directory removed"
mem_pid=$(cat "$state/instances/$mem_id/agent/server.pid")
must database instance delete "$mem_id"
deadline=$((SECONDS + 60))
while :; do
  as_member database instance list -f value -c ID || fail "instance list as the member failed: $err"
  grep -q "$mem_id" <<<"$out" || break
  [ "$SECONDS" -ge "$deadline" ] && fail "the member still sees $mem_id after 60s"
  sleep 1
done
if as_member database instance show "$mem_id" -f json; then fail "the member still shows $mem_id: $out"; fi
! kill -0 "$mem_pid" 2>/dev/null || fail "the member's server (pid $mem_pid) still runs"
[ ! -e "$state/instances/$mem_id" ] || fail "the instance directory $state/instances/$mem_id is left"
mem_user="jt$(tr -d - <<<"$mem_id" | cut -c1-30)"
if [ "$(id -u)" = 0 ] && id -u "$mem_user" >/dev/null 2>&1; then fail "OS user $mem_user is left"; fi
must database instance list --all-projects -f value -c ID
grep -q "$mem_id" <<<"$out" && fail "instance list --all-projects still shows $mem_id"
ok

# ---------------------------------------------------------------------------------------------------------------
# 9. authentication

begin "9.1 a wrong OS_PASSWORD makes instance list fail"
if OS_PASSWORD=wrong osc database instance list -f json; then fail "succeeded with a wrong password: $out"; fi
grep -q "401" <<<"$err" || fail "expected an HTTP 401 error, got: $err"
ok

echo "$passed passed, 0 failed"
