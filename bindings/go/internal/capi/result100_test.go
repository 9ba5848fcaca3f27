package capi

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/types/create"
)

// sameAsUpstream fails t unless Result decodes in as create.Create does:
// the same value, or both an error. It reports whether decode100 took
// the input itself (and then checks its answer on its own too).
func sameAsUpstream(t *testing.T, in string) bool {
	t.Helper()
	version, _ := leadingVersion([]byte(in))
	want, wantErr := create.Create(version, []byte(in))
	got, gotErr := Result([]byte(in), "test")
	if (wantErr == nil) != (gotErr == nil) {
		t.Errorf("%s:\n upstream error %v\n ours %v", in, wantErr, gotErr)
		return false
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n upstream %#v\n ours %#v", in, want, got)
	}
	fast, ok := decode100([]byte(in))
	if ok && (wantErr != nil || !reflect.DeepEqual(types.Result(fast), want)) {
		t.Errorf("%s: decode100 took it and got %#v, upstream %#v (%v)", in, fast, want, wantErr)
	}
	return ok
}

// randomText is a short string, now and then with a character that
// encoding/json escapes or that decode100 leaves to upstream.
func randomText(rng *rand.Rand) string {
	const plain = "abcdefghijklmnopqrstuvwxyz0123456789-_./:"
	odd := []string{"<", ">", "&", `"`, `\`, "\n", "é", "\u2028", "€"}
	var b strings.Builder
	for n := rng.Intn(12); n > 0; n-- {
		if rng.Intn(40) == 0 {
			b.WriteString(odd[rng.Intn(len(odd))])
		} else {
			b.WriteByte(plain[rng.Intn(len(plain))])
		}
	}
	return b.String()
}

func randomIP(rng *rand.Rand) net.IP {
	if rng.Intn(3) == 0 {
		ip := make(net.IP, net.IPv6len)
		rng.Read(ip)
		return ip
	}
	return net.IPv4(byte(rng.Intn(256)), byte(rng.Intn(256)), byte(rng.Intn(256)), byte(rng.Intn(256)))
}

func randomNet(rng *rand.Rand) net.IPNet {
	ip := randomIP(rng)
	bits := 32
	if ip.To4() == nil {
		bits = 128
	}
	return net.IPNet{IP: ip, Mask: net.CIDRMask(rng.Intn(bits+1), bits)}
}

// maybe is v, or nil half the time.
func maybe(rng *rand.Rand, v int) *int {
	if rng.Intn(2) == 0 {
		return nil
	}
	return &v
}

func randomInts(rng *rand.Rand) int {
	switch rng.Intn(4) {
	case 0:
		return 0
	case 1:
		return -rng.Intn(1000)
	default:
		return rng.Intn(1 << 20)
	}
}

func randomStrings(rng *rand.Rand) []string {
	if rng.Intn(3) == 0 {
		return nil
	}
	out := []string{}
	for n := rng.Intn(4); n > 0; n-- {
		out = append(out, randomText(rng))
	}
	return out
}

func randomResult(rng *rand.Rand) *types100.Result {
	r := &types100.Result{CNIVersion: []string{"1.0.0", "1.1.0"}[rng.Intn(2)]}
	for n := rng.Intn(4); n > 0; n-- {
		r.Interfaces = append(r.Interfaces, &types100.Interface{
			Name: randomText(rng), Mac: randomText(rng), Mtu: randomInts(rng),
			Sandbox: randomText(rng), SocketPath: randomText(rng), PciID: randomText(rng),
		})
	}
	for n := rng.Intn(4); n > 0; n-- {
		c := &types100.IPConfig{Interface: maybe(rng, rng.Intn(4)), Address: randomNet(rng)}
		if rng.Intn(2) == 0 {
			c.Gateway = randomIP(rng)
		}
		r.IPs = append(r.IPs, c)
	}
	for n := rng.Intn(4); n > 0; n-- {
		rt := &types.Route{Dst: randomNet(rng), MTU: randomInts(rng), AdvMSS: randomInts(rng),
			Priority: randomInts(rng), Table: maybe(rng, randomInts(rng)), Scope: maybe(rng, randomInts(rng))}
		if rng.Intn(2) == 0 {
			rt.GW = randomIP(rng)
		}
		r.Routes = append(r.Routes, rt)
	}
	if rng.Intn(2) == 0 {
		r.DNS = types.DNS{Nameservers: randomStrings(rng), Domain: randomText(rng),
			Search: randomStrings(rng), Options: randomStrings(rng)}
	}
	return r
}

// Results as upstream encodes them (the form libcniinvoke writes): most
// are decoded by decode100, the rest by upstream, and every one comes out
// as upstream's own decoding of it.
func TestDecode100MatchesUpstreamOnEncodedResults(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	taken := 0
	const n = 3000
	for i := 0; i < n; i++ {
		data, err := json.Marshal(randomResult(rng))
		if err != nil {
			t.Fatal(err)
		}
		if sameAsUpstream(t, string(data)) {
			taken++
		}
	}
	if taken < n/4 || taken == n {
		t.Errorf("decode100 took %d of %d results: both paths must be exercised", taken, n)
	}
}

// Inputs outside that form, each near one decode100 was written for:
// whatever path takes them, the answer is upstream's (its error included).
func TestDecode100LeavesEverythingElseToUpstream(t *testing.T) {
	base := `{"cniVersion":"1.0.0","dns":{"nameservers":["10.1.0.1"]},` +
		`"interfaces":[{"mac":"aa:bb","mtu":1500,"name":"eth0","sandbox":"/var/run/netns/x"}],` +
		`"ips":[{"address":"10.1.0.5/16","gateway":"10.1.0.1","interface":0}],` +
		`"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1","table":100,"scope":0}]}`
	if !sameAsUpstream(t, base) {
		t.Fatalf("decode100 refused a result in its own form: %s", base)
	}
	// Its own form, in corners: decode100 takes each.
	for _, in := range []string{
		`{"cniVersion":"1.1.0"}`,
		`{"cniVersion":"1.0.0","interfaces":[],"ips":[],"routes":[],"dns":{}}`,
		`{"cniVersion":"1.0.0","dns":{"nameservers":[],"search":[],"options":[]}}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","gateway":""}]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"fd00::5/64","gateway":"fd00::1"}]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","interface":-0}]}`,
		`{"cniVersion":"1.0.0","cniVersion":"1.1.0"}`,
		`{"cniVersion":"1.0.0","dns":{"domain":"x","domain":"y"}}`,
	} {
		if !sameAsUpstream(t, in) {
			t.Errorf("decode100 refused a result in its own form: %s", in)
		}
	}
	cases := []string{
		`{"cniVersion":"0.4.0"}`,
		`{"cniVersion":"2.0.0"}`,
		`{"cniVersion":""}`,
		`{"cniVersion":"1.0.0"} `,
		`{"cniVersion":"1.0.0"}x`,
		`{"cniVersion":"1.0.0" }`,
		`{"cniVersion":"1.0.0","extra":1}`,
		`{"cniVersion":"1.0.0","IPs":[{"address":"10.1.0.5/16"}]}`,
		`{"cniVersion":"1.0.0","ips":null}`,
		`{"cniVersion":"1.0.0","ips":[null]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5"}]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","gateway":"nope"}]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","interface":01}]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","interface":1.0}]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","interface":1e1}]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","interface":-}]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","interface":99999999999999999999}]}`,
		`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","interface":"0"}]}`,
		`{"cniVersion":"1.0.0","interfaces":[{"name":"a\u00e9"}]}`,
		`{"cniVersion":"1.0.0","interfaces":[{"name":"a\"b"}]}`,
		"{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"a\xffb\"}]}",
		"{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"a\tb\"}]}",
		`{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"},]}`,
		`{"cniVersion":"1.0.0","interfaces":[{"name":"eth0",}]}`,
		`{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}`,
		`{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mtu":true}]}`,
		`{"cniVersion":"1.0.0","routes":[{"dst":"0.0.0.0/0","table":null}]}`,
		`{"cniVersion":"1.0.0","routes":[{"gw":"10.1.0.1"}]}`,
		`{"cniVersion":"1.0.0","dns":{"nameservers":["a",1]}}`,
		`{"cniVersion":"1.0.0","dns":null}`,
		`{"cniVersion":"1.0.0",`,
		`{"cniVersion":"1.0.0"`,
		`{}`,
		`[]`,
		``,
	}
	for _, in := range cases {
		sameAsUpstream(t, in)
	}
	for cut := 0; cut < len(base); cut++ {
		sameAsUpstream(t, base[:cut])
	}
}

// The fast path is what the binding's calls use: a result of the
// library's, decoded, is the same value as upstream makes of it.
func ExampleResult() {
	r, err := Result([]byte(`{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16","gateway":"10.1.0.1"}]}`), "example")
	if err != nil {
		panic(err)
	}
	res := r.(*types100.Result)
	fmt.Println(res.IPs[0].Address.String(), res.IPs[0].Gateway)
	// Output: 10.1.0.5/16 10.1.0.1
}

// benchResult is the bench plugin's result, as the library hands it over.
const benchResult = `{"cniVersion":"1.0.0","dns":{"nameservers":["10.1.0.1"]},` +
	`"interfaces":[{"mac":"0a:58:0a:01:00:05","name":"eth0","sandbox":"/var/run/netns/bench"}],` +
	`"ips":[{"address":"10.1.0.5/16","gateway":"10.1.0.1","interface":0}],` +
	`"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1"}]}`

// go test -bench Result ./internal/capi: decode100 against create.Create
// on that result.
func BenchmarkResult(b *testing.B) {
	data := []byte(benchResult)
	b.Run("decode100", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := Result(data, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("create.Create", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := create.Create("1.0.0", data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
