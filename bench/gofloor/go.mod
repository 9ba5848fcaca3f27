module github.com/libcniinvoke/libcniinvoke/bench/gofloor

go 1.22
