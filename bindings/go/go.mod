module github.com/libcniinvoke/libcniinvoke/bindings/go

go 1.21

require github.com/containernetworking/cni v1.3.0
