package libcni_test

// setns(2): not in package syscall for amd64.
const sysSetns = 308
