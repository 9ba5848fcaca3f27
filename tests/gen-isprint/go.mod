module cniinvoke/gen-isprint

go 1.21
