#!/usr/bin/env bats
# version --format, info, image diff, events: compared with podman 4.3 where podman's output is
# not machine-specific, by structure where it is.

load helpers

@test "version: podman's labels, one JSON line with Client, templates over {Client, Server}" {
  run s version
  expect_success
  [ "${lines[0]}" = "Client:       schicht" ]
  [ "${lines[1]}" = "Version:      $(s --version | cut -d' ' -f3)" ]
  [[ "${lines[2]}" == "API Version:  "* ]]
  [[ "${lines[3]}" == "OS/Arch:      linux/"* ]]
  run s version --format '{{.Client.Version}}'
  expect_success
  [ "$output" = "$(s --version | cut -d' ' -f3)" ]
  # A template written for a podman with a server falls back to the client.
  [ "$(s version --format '{{.Server.Version}}')" = "$output" ]
  [ "$(s version --format '{{.Version}}')" = "$output" ]
  [ "$(s version --format '{{.Client.Os}}/{{.Server}}')" = "linux/<nil>" ]
  have_podman || skip "podman not installed"
  # The labels podman prints, in podman's columns (its Go-only lines aside).
  p version | grep -E '^(Version|API Version|OS/Arch):' | sed 's/:  *.*/:/' > "$WORK/podman.txt"
  s version | grep -E '^(Version|API Version|OS/Arch):' | sed 's/:  *.*/:/' > "$WORK/schicht.txt"
  diff "$WORK/podman.txt" "$WORK/schicht.txt"
  [ "$(p version | grep '^Version:' | sed 's/[^ ]*$//')" = "$(s version | grep '^Version:' | sed 's/[^ ]*$//')" ]
  for f in json ' json ' '{{json .}}'; do
    [ "$(s version --format "$f" | wc -l)" -eq 1 ]
    s version --format "$f" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert list(d) == ["Client"], d
assert {"APIVersion", "Version", "OsArch", "Os"} <= set(d["Client"]), d'
  done
  [ "$(p version --format '{{.Client.Os}} {{.Server}}')" = "$(s version --format '{{.Client.Os}} {{.Server}}')" ]
  [ "$(p version --format '{{.Client.Os}}\t{{.Client.Os}}')" = "$(s version --format '{{.Client.Os}}\t{{.Client.Os}}')" ]
}

@test "version: bad templates and arguments fail as podman's" {
  run s version --format '{{.Bad}}'
  expect_failure 125 'Error: template: version:1:2: executing "version" at <.Bad>: can'"'"'t evaluate field Bad in type *define.Version'
  run s version --format 'x{{.Client.Bad}}'
  expect_failure 125 'can'"'"'t evaluate field Client in type *define.Version'
  [ "${lines[0]}" = "xxError: template: version:1:10: executing \"version\" at <.Client.Bad>: can't evaluate field Client in type *define.Version" ]
  run s version --format '{{.Client.Version'
  expect_failure 125 'template: version:1: unclosed action'
  run s version foo
  expect_failure 125 'takes no arguments'
  have_podman || skip "podman not installed"
  for f in '{{.Bad}}' 'x{{.Client.Bad}}' '{{.Client.Version' '{{.Client.Version}}{{.Server.Bad}}'; do
    run p version --format "$f"
    want_status=$status want=$output
    run s version --format "$f"
    [ "$status" -eq "$want_status" ]
    [ "$output" = "${want//4.3.1/$(s --version | cut -d' ' -f3)}" ]
  done
}
