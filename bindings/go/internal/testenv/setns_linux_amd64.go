package testenv

// setns(2): not in package syscall for amd64.
const sysSetns = 308
