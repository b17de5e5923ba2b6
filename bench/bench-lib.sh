# Shared by the bench/run-* scripts: argument handling, the root check, building and the classpath.
# A script sets NAME (its own name), MAIN (the benchmark class), ALLOWED (a regex of the --options it takes) and
# HELP_LINES (the sed range of its help in its header), sources this file, then calls run_bench [java options].
bench=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
repo=$(dirname "$bench")
build=false
args=()
for a in "$@"; do
  case "$a" in
    --build) build=true ;;
    -h|--help) sed -n "${HELP_LINES}p" "${BASH_SOURCE[1]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) if [[ "$a" =~ ^(${ALLOWED})$ ]]; then args+=("$a"); else
         echo "$NAME: unknown argument $a (try --help)" >&2; exit 2; fi ;;
  esac
done
if [ "$(id -u)" != 0 ]; then
  echo "$NAME: must run as root (database servers are started as unprivileged users via setpriv)" >&2
  exit 2
fi

# runs a command in the repository root; shows its output only if it fails (Maven prints stray escape codes)
quiet() {
  local out
  if ! out=$(cd "$repo" && "$@" 2>&1); then
    printf '%s\n' "$out" >&2
    echo "$NAME: failed: $*" >&2
    exit 1
  fi
}

run_bench() {
  local jar cpfile
  jar=$(ls "$bench"/target/jtrove-bench-*.jar 2>/dev/null | head -n 1 || true)
  if $build || [ -z "$jar" ] || [ -n "$(find "$bench/src" "$bench/pom.xml" -newer "$jar" -type f 2>/dev/null | head -n 1)" ]; then
    echo "building (mvn -q -B -DskipTests install) ..." >&2
    quiet mvn -q -B -DskipTests install
    jar=$(ls "$bench"/target/jtrove-bench-*.jar | head -n 1)
  fi
  cpfile="$bench/target/classpath.txt"
  # the classpath is computed again whenever the jar or any pom.xml is newer than it
  if [ ! -s "$cpfile" ] || [ -n "$(find "$repo" -maxdepth 2 -name pom.xml -newer "$cpfile" | head -n 1)" ] \
      || [ "$cpfile" -ot "$jar" ]; then
    quiet mvn -q -B -pl bench org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
        -Dmdep.outputFile="$cpfile"
    touch "$cpfile"   # the plugin leaves the file alone when its content is unchanged
  fi
  export JTROVE_LOG_LEVEL="${JTROVE_LOG_LEVEL:-WARN}"
  exec java "$@" -cp "$jar:$(cat "$cpfile")" "$MAIN" "${args[@]}"
}
