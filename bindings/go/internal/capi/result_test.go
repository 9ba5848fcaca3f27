package capi

import (
	"strings"
	"testing"

	types100 "github.com/containernetworking/cni/pkg/types/100"
)

func TestLeadingVersion(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{
		{`{"cniVersion":"1.0.0","ips":[]}`, "1.0.0", true},
		{`{"cniVersion":"0.4.0"}`, "0.4.0", true},
		{`{"cniVersion":""}`, "", true},
		{`{"cniVersion":"1.\u0030.0"}`, "", false},
		{`{"ips":[],"cniVersion":"1.0.0"}`, "", false},
		{`{"cniVersion":"1.0.0`, "", false},
		{` {"cniVersion":"1.0.0"}`, "", false},
	} {
		got, ok := leadingVersion([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("leadingVersion(%s) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestResultDecodesInEitherOrder(t *testing.T) {
	for _, in := range []string{
		`{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"}]}`,
		`{"ips":[{"address":"10.0.0.2/24"}],"cniVersion":"1.0.0"}`,
		`{"cniVersion":"1.\u0030.0","ips":[{"address":"10.0.0.2/24"}]}`,
	} {
		r, err := Result([]byte(in), "test")
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		res, ok := r.(*types100.Result)
		if !ok || res.CNIVersion != "1.0.0" || len(res.IPs) != 1 || res.IPs[0].Address.String() != "10.0.0.2/24" {
			t.Errorf("%s: got %#v", in, r)
		}
	}
	_, err := Result([]byte(`{"ips":`), "test")
	if err == nil || !strings.HasPrefix(err.Error(), "test: libcniinvoke returned a malformed result: ") {
		t.Errorf("malformed: %v", err)
	}
}
