module github.com/libcniinvoke/libcniinvoke/tests/libcni-conf-diff

go 1.21

require github.com/containernetworking/cni v1.3.0
