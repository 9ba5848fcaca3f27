package testenv

// setns(2): not in package syscall for 386.
const sysSetns = 346
