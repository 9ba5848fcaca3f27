package testenv

// setns(2): not in package syscall for s390x.
const sysSetns = 339
