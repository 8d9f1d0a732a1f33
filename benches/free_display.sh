# Sourced by the bench scripts that start their own Xvfb.
# free_display FIRST LAST: prints the first X display number in FIRST..LAST that has neither a
# socket nor a lock file (another Xvfb, or a desktop, holds the others); fails when none is free.
# Each script takes its own range, so two of them can run at once.
free_display() {
  local n
  for n in $(seq "$1" "$2"); do
    if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then
      echo ":$n"
      return 0
    fi
  done
  return 1
}
