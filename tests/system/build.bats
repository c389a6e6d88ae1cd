#!/usr/bin/env bats
# build: images from Containerfiles, the layer cache, and the errors of a failed build.

load helpers

# A base image with a few files, imported as localhost/base:1.
base() {
  mkdir -p "$WORK/root/etc" "$WORK/root/bin"
  echo hello > "$WORK/root/etc/hello"
  echo tool > "$WORK/root/bin/tool"
  tar -cf "$WORK/root.tar" -C "$WORK/root" .
  s import "$WORK/root.tar" localhost/base:1 >/dev/null
  mkdir -p "$WORK/ctx"
  CTX=$WORK/ctx
}

config() {
  s inspect --format "$1" "$2"
}

@test "metadata instructions write the config and empty_layer history" {
  base
  cat > "$CTX/Containerfile" <<'EOF2'
# a comment
FROM localhost/base:1 AS first
ARG FOO=bar
ENV A=1 B="two words" \
    C=$FOO
LABEL l1=v1 "l 2"=v2
WORKDIR /w
WORKDIR sub
USER 1000:1000
EXPOSE 80 443/udp
VOLUME /data
STOPSIGNAL SIGTERM
ENTRYPOINT ["/bin/sh"]
CMD ["-c", "echo $A"]
EOF2
  run s build -t meta "$CTX"
  expect_success
  [[ "$output" == *"STEP 1/12: FROM localhost/base:1 AS first"* ]]
  [[ "$output" == *"STEP 12/12: CMD [\"-c\", \"echo \$A\"]"* ]]
  [[ "$output" == *"COMMIT meta"* ]]
  [[ "$output" == *"Successfully tagged localhost/meta:latest"* ]]
  run config '{{json .Config.Env}}' meta
  [ "$output" = '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=1","B=two words","C=bar"]' ]
  run config '{{.Config.WorkingDir}} {{.Config.User}} {{.Config.StopSignal}}' meta
  [ "$output" = "/w/sub 1000:1000 SIGTERM" ]
  run config '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{json .Config.ExposedPorts}}' meta
  [ "$output" = '["/bin/sh"] ["-c","echo $A"] {"443/udp":{},"80/tcp":{}}' ]
  run config '{{json .Config.Labels}} {{json .Config.Volumes}}' meta
  [ "$output" = '{"io.buildah.version":"1.28.2","l 2":"v2","l1":"v1"} {"/data":{}}' ]
  run s history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' meta
  [[ "${lines[10]}" == "/bin/sh -c #(nop) ARG FOO|FROM localhost/base:1" ]]
  [[ "${lines[9]}" == '/bin/sh -c #(nop) ENV A=1 B="two words"     C=$FOO|FROM '* ]]
  id=$(s images -q --no-trunc meta)
  cfg=$(cat "$STORE/blobs/sha256/${id#sha256:}")
  [ "$(grep -o '"empty_layer":true' <<< "$cfg" | wc -l)" -eq 11 ]
}

@test "COPY: files, directories, globs, --chmod, --chown, .containerignore" {
  base
  echo a > "$CTX/a.txt"
  echo b > "$CTX/b.txt"
  echo log > "$CTX/x.log"
  mkdir -p "$CTX/dir/sub" && echo y > "$CTX/dir/sub/y"
  printf '*.log\n' > "$CTX/.containerignore"
  cat > "$CTX/Containerfile" <<'EOF2'
FROM scratch
COPY a.txt /one
COPY *.txt /many/
COPY dir /d
COPY --chmod=700 --chown=7:8 a.txt /owned
COPY . /all/
EOF2
  run s build -t cp "$CTX"
  expect_success
  s save --format oci-dir -o "$WORK/out" cp
  list=$(for l in "$WORK"/out/blobs/sha256/*; do tar -tvzf "$l" --numeric-owner 2>/dev/null || true; done)
  [[ "$list" == *" one"* ]]
  [[ "$list" == *"many/a.txt"* && "$list" == *"many/b.txt"* ]]
  [[ "$list" == *"d/sub/y"* ]]
  [[ "$list" == *"-rwx------ 7/8"*"owned"* ]]
  [[ "$list" != *"x.log"* ]]
  [[ "$list" == *"all/dir/sub/y"* ]]
  run s history --no-trunc --format '{{.CreatedBy}}' cp
  [[ "$output" == *"COPY file:"*" in /one "* ]]
  [[ "$output" == *"COPY multi:"*" in /many/ "* ]]
  [[ "$output" == *"COPY dir:"*" in /d "* ]]
}

@test "COPY through symlinks that point outside the root filesystem stays inside it" {
  # Links a hostile base could hold: absolute host paths, climbs with .., a link to the root.
  mkdir -p "$WORK/outside" "$WORK/root/etc"
  echo secret > "$WORK/outside/keep"
  ln -s "$WORK/outside" "$WORK/root/abs"
  ln -s ../../../../../../../../..$WORK/outside "$WORK/root/climb"
  ln -s / "$WORK/root/top"
  ln -s /etc/../../../.. "$WORK/root/parent"
  base
  echo a > "$CTX/a.txt"
  cat > "$CTX/Containerfile" <<'EOF2'
FROM localhost/base:1
COPY a.txt /abs/
COPY a.txt /climb/new/
COPY a.txt /top/at-top
COPY a.txt /parent/via-parent
ADD a.txt /climb/added
EOF2
  run s build -t esc "$CTX"
  expect_success
  # Nothing reached the host directory the links name.
  [ "$(ls -A "$WORK/outside")" = keep ]
  [ "$(cat "$WORK/outside/keep")" = secret ]
  s save --format oci-dir -o "$WORK/out" esc
  list=$(for l in "$WORK"/out/blobs/sha256/*; do tar -tzf "$l" 2>/dev/null || true; done)
  inside=${WORK#/}/outside
  [[ "$list" == *"$inside/a.txt"* ]]
  [[ "$list" == *"$inside/new/a.txt"* ]]
  [[ "$list" == *"$inside/added"* ]]
  grep -qx 'at-top' <<< "$list"
  grep -qx 'via-parent' <<< "$list"
}

@test "a rebuild with nothing changed takes every step from the cache and gives the same ID" {
  base
  echo a > "$CTX/a.txt"
  echo b > "$CTX/b.txt"
  printf 'FROM localhost/base:1\nENV X=1\nCOPY a.txt /a\nCOPY b.txt /b\nLABEL done=yes\n' > "$CTX/Containerfile"
  run s build -t c1 "$CTX"
  expect_success
  first=${lines[-1]}
  [[ "$output" != *"Using cache"* ]]
  run s build -t c1 "$CTX"
  expect_success
  [ "${lines[-1]}" = "$first" ]
  [ "$(grep -c 'Using cache' <<< "$output")" -eq 4 ]
  # Changing the second COPY source re-runs that step and the ones after it only.
  echo changed > "$CTX/b.txt"
  run s build -t c1 "$CTX"
  expect_success
  [ "${lines[-1]}" != "$first" ]
  [ "$(grep -c 'Using cache' <<< "$output")" -eq 2 ]
  [[ "$output" == *"STEP 4/5: COPY b.txt /b"$'\n'"--> "[0-9a-f]* ]]
  # --no-cache runs everything; --layers=false neither reads nor writes the cache.
  run s build --no-cache -t c1 "$CTX"
  [[ "$output" != *"Using cache"* ]]
}

@test "the build cache is shown by system df and removed by image prune --build-cache" {
  base
  echo a > "$CTX/a.txt"
  printf 'FROM localhost/base:1\nCOPY a.txt /a\n' > "$CTX/Containerfile"
  s build -t c1 "$CTX" >/dev/null
  run s system df
  expect_success
  [[ "$output" == *"Build Cache"* ]]
  s rmi c1
  run s image prune --build-cache -f
  expect_success
  run s build -t c1 "$CTX"
  [[ "$output" != *"Using cache"* ]]
  # Without --build-cache, image prune leaves the cache; system prune removes it.
  s rmi c1
  run s image prune -f
  run s build -t c1 "$CTX"
  [[ "$output" == *"Using cache"* ]]
  run s system prune -f
  expect_success
  run s build -t c1 "$CTX"
  [[ "$output" != *"Using cache"* ]]
  run s system check
  expect_success
  [ "$(ls -A "$STORE/tmp")" = "" ]
}

@test "--timestamp and SOURCE_DATE_EPOCH give bit-identical images" {
  base
  echo a > "$CTX/a.txt"
  printf 'FROM localhost/base:1\nCOPY a.txt /a\nENV X=1\n' > "$CTX/Containerfile"
  run s build --no-cache --timestamp 1700000000 -q "$CTX"
  expect_success
  one=$output
  touch "$CTX/a.txt"
  run s build --no-cache --timestamp 1700000000 -q "$CTX"
  [ "$output" = "$one" ]
  SOURCE_DATE_EPOCH=1700000000 run s build --no-cache -q "$CTX"
  [ "$output" = "$one" ]
  run config '{{.Created}}' "$one"
  # podman prints a time.Time as Go does.
  [ "$output" = "2023-11-14 22:13:20 +0000 UTC" ]
}

@test "multi-stage: COPY --from a stage, --target, a stage as FROM" {
  base
  echo a > "$CTX/a.txt"
  cat > "$CTX/Containerfile" <<'EOF2'
FROM localhost/base:1 AS one
COPY a.txt /a
FROM one AS two
ENV TWO=2
FROM scratch
COPY --from=one /a /from-one
COPY --from=localhost/base:1 /etc/hello /hello
EOF2
  run s build -t ms "$CTX"
  expect_success
  [[ "$output" == *"[1/3] STEP 1/2: FROM localhost/base:1 AS one"* ]]
  [[ "$output" == *"[3/3] COMMIT ms"* ]]
  [[ "$output" != *"ENV TWO"* ]]  # not needed by the target
  run s build --target two -t ms2 "$CTX"
  expect_success
  run config '{{json .Config.Env}}' ms2
  [[ "$output" == *'"TWO=2"'* ]]
}

@test "--iidfile, -q, --label, --annotation, --build-arg" {
  base
  printf 'FROM localhost/base:1\nARG V=default\nENV V=$V\n' > "$CTX/Containerfile"
  run s build -q --iidfile "$WORK/iid" --label a=b --annotation x=y --build-arg V=given -t q1 "$CTX"
  expect_success
  [ -z "$output" ]
  id=$(cat "$WORK/iid")
  [[ "$id" =~ ^sha256:[0-9a-f]{64}$ ]]
  run config '{{json .Config.Env}} {{json .Config.Labels}}' q1
  [[ "$output" == *'"V=given"'*'{"a":"b","io.buildah.version":"1.28.2"}' ]]
  run s inspect --format '{{json .Annotations}}' q1
  [[ "$output" == *'"x":"y"'* ]]
}

@test "--identity-label: io.buildah.version on every committed image, as podman's builds; =false adds none" {
  base
  printf 'FROM localhost/base:1\nLABEL a=b\nENV E=1\n' > "$CTX/Containerfile"
  run s build -q -t ident "$CTX"
  expect_success
  run config '{{json .Config.Labels}}' ident
  [ "$output" = '{"a":"b","io.buildah.version":"1.28.2"}' ]
  # Without it the cache does not hand back the labelled configs.
  run s build -q --identity-label=false -t plain "$CTX"
  expect_success
  [ "$output" != "$(s images -q --no-trunc ident)" ]
  run config '{{json .Config.Labels}}' plain
  [ "$output" = '{"a":"b"}' ]
  # A FROM-only build commits nothing and adds no label, as podman's.
  printf 'FROM localhost/base:1\n' > "$CTX/Containerfile"
  run s build -q -t same "$CTX"
  expect_success
  run config '{{json .Labels}}' same
  [ "$output" = 'null' ]
}

@test "errors name the file and line, exit 125, and name nothing" {
  base
  before=$(store_state)
  printf 'FROM localhost/base:1\nCOPY nope /x\n' > "$CTX/Containerfile"
  run s build -t bad "$CTX"
  expect_failure 125 "Containerfile:2: building at STEP \"COPY nope /x\": checking on sources under" \
    'copier: stat: "/nope": no such file or directory'
  printf 'FROM localhost/base:1\n\nFOO bar\n' > "$CTX/Containerfile"
  run s build -t bad "$CTX"
  expect_failure 125 "Containerfile:3: unknown instruction: FOO"
  printf 'FROM localhost/base:1\nCOPY --from=zzz /a /b\n' > "$CTX/Containerfile"
  run s build -t bad "$CTX"
  expect_failure 125 "Containerfile:2:" "COPY --from=zzz: no stage or image found with that name"
  printf 'FROM localhost/nothere:1\n' > "$CTX/Containerfile"
  run s build --pull=never -t bad "$CTX"
  expect_failure 125 "Containerfile:1:" "localhost/nothere:1: image not known"
  run s build -t bad "$WORK/nonexistent"
  expect_failure 125 "no such file or directory"
  rm "$CTX/Containerfile"
  run s build -t bad "$CTX"
  expect_failure 125 "no Containerfile or Dockerfile specified or found in context directory"
  run s image exists bad
  [ "$status" -eq 1 ]
  [ "$(ls -A "$STORE/tmp")" = "" ]
  [ "$(store_state)" = "$before" ]
}

@test "image build is build; Dockerfile is the fallback; -f names another file" {
  base
  printf 'FROM localhost/base:1\nENV X=1\n' > "$CTX/Dockerfile"
  run s image build -t d1 "$CTX"
  expect_success
  printf 'FROM localhost/base:1\nENV Y=1\n' > "$WORK/Other"
  run s build -f "$WORK/Other" -t d2 "$CTX"
  expect_success
  run config '{{json .Config.Env}}' d2
  [[ "$output" == *'"Y=1"'* ]]
}

# A busybox base for RUN (skipped without busybox-static).
busybox_base() {
  [ -x /usr/bin/busybox ] || skip "needs /usr/bin/busybox (busybox-static)"
  mkdir -p "$WORK/bb/bin" "$WORK/bb/etc"
  cp /usr/bin/busybox "$WORK/bb/bin/busybox"
  for t in sh echo cat rm ls mkdir true false env id; do ln -s busybox "$WORK/bb/bin/$t"; done
  echo gone > "$WORK/bb/etc/gone"
  tar -C "$WORK/bb" -cf "$WORK/bb.tar" .
  s import "$WORK/bb.tar" localhost/bb >/dev/null
  mkdir -p "$WORK/ctx"
  CTX=$WORK/ctx
}

@test "RUN: shell and exec form, build args in the environment, deletions as whiteouts" {
  busybox_base
  cat > "$CTX/Containerfile" <<'EOF2'
FROM localhost/bb
ENV GREETING=hello
ARG WHO=world
RUN echo "$GREETING $WHO" > /msg && rm /etc/gone
RUN ["/bin/sh", "-c", "echo exec > /exec"]
EOF2
  run s build --build-arg WHO=you -t r1 "$CTX"
  expect_success
  run s history --no-trunc --format '{{.CreatedBy}}' r1
  [[ "${lines[1]}" == '|1 WHO=you /bin/sh -c echo "$GREETING $WHO" > /msg && rm /etc/gone' ]]
  s save --format oci-dir -o "$WORK/out" r1
  list=$(for l in "$WORK"/out/blobs/sha256/*; do tar -tzf "$l" 2>/dev/null || true; done)
  [[ "$list" == *"etc/.wh.gone"* ]]
  content=$(for l in "$WORK"/out/blobs/sha256/*; do tar -xzOf "$l" msg 2>/dev/null || true; done)
  [ "$content" = "hello you" ]
  # Same args: every step cached; another arg value: the RUN runs again.
  run s build --build-arg WHO=you -t r1 "$CTX"
  [ "$(grep -c 'Using cache' <<< "$output")" -eq 4 ]
  run s build --build-arg WHO=me -t r1 "$CTX"
  [ "$(grep -c 'Using cache' <<< "$output")" -eq 1 ]
}

@test "a failing RUN stops the build with its exit status and names nothing" {
  busybox_base
  before=$(store_state)
  printf 'FROM localhost/bb\nENV X=1\nRUN exit 3\nENV Y=2\n' > "$CTX/Containerfile"
  run s build -t broken "$CTX"
  expect_failure 3 'Containerfile:3: building at STEP "RUN exit 3": exit status 3'
  [[ "$output" != *"STEP 4/4"* ]]
  run s image exists broken
  [ "$status" -eq 1 ]
  [ "$(ls -A "$STORE/tmp")" = "" ]
  run s system check
  expect_success
}

@test "--squash: the build's layers become one on top of the base's, as podman squashes" {
  busybox_base
  printf 'FROM localhost/bb\nENV A=1\nRUN echo a > /a\nRUN echo b > /b && rm /etc/gone\nLABEL x=y\n' > "$CTX/Containerfile"
  run s build --squash -t sq "$CTX"
  expect_success
  [[ "$output" != *"Using cache"* ]]
  run s inspect --format '{{len .RootFS.Layers}}' sq
  [ "$output" = 2 ]
  run s history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' sq
  [ "${lines[0]}" = "/bin/sh -c #(nop) LABEL x=y|FROM localhost/bb:latest" ]
  id=$(s images -q --no-trunc sq)
  cfg=$(cat "$STORE/blobs/sha256/${id#sha256:}")
  [ "$(grep -o '"empty_layer":true' <<< "$cfg" | wc -l)" -eq 3 ]
  s save --format oci-dir -o "$WORK/out" sq
  list=$(for l in "$WORK"/out/blobs/sha256/*; do tar -tzf "$l" 2>/dev/null || true; done)
  grep -qx "etc/.wh.gone" <<< "$list"
  grep -qx "a" <<< "$list"
  grep -qx "b" <<< "$list"
}
