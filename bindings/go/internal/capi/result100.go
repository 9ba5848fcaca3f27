package capi

// A decoder for the one form in which libcniinvoke writes a 1.x result:
// Go's own encoding of types100.Result (no white space, no escapes in the
// bench's and most real results, keys as upstream's fields name them).
// It builds the same *types100.Result that encoding/json would, without
// reflection, and gives up (ok == false) at the first thing it was not
// written for: the caller then decodes with create.Create, so any input
// is decoded exactly as upstream decodes it. result100_test.go holds the
// two to the same answer.

import (
	"net"
	"strconv"
	"unicode/utf8"

	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
)

// decode100 is the result in data, when data is a 1.0.0 or 1.1.0 result
// in the form described above; ok is false for anything else.
func decode100(data []byte) (result *types100.Result, ok bool) {
	d := scan{b: data}
	r := &types100.Result{}
	d.object(func(key string) bool {
		switch key {
		case "cniVersion":
			r.CNIVersion, ok = d.str()
		case "interfaces":
			r.Interfaces, ok = list(&d, d.iface)
		case "ips":
			r.IPs, ok = list(&d, d.ipConfig)
		case "routes":
			r.Routes, ok = list(&d, d.route)
		case "dns":
			ok = d.dns(&r.DNS)
		default:
			return false
		}
		return ok
	})
	if !d.ok || d.i != len(d.b) || (r.CNIVersion != "1.0.0" && r.CNIVersion != "1.1.0") {
		return nil, false
	}
	return r, true
}

// scan reads JSON from b at i; ok turns false, for good, at the first
// byte it does not take.
type scan struct {
	b  []byte
	i  int
	ok bool
}

// next takes c if it is the next byte.
func (d *scan) next(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// object reads an object, handing each key to field, which reads the
// value (false: give up).
func (d *scan) object(field func(key string) bool) {
	d.ok = d.next('{')
	if !d.ok || d.next('}') {
		return
	}
	for {
		key, ok := d.str()
		if !ok || !d.next(':') || !field(key) {
			d.ok = false
			return
		}
		if d.next('}') {
			d.ok = true
			return
		}
		if !d.next(',') {
			d.ok = false
			return
		}
	}
}

// list reads an array, each element read by elem. An empty array is an
// empty slice, not nil, as encoding/json makes it.
func list[T any](d *scan, elem func() (T, bool)) ([]T, bool) {
	if !d.next('[') {
		return nil, false
	}
	out := []T{}
	if d.next(']') {
		return out, true
	}
	for {
		e, ok := elem()
		if !ok {
			return nil, false
		}
		out = append(out, e)
		if d.next(']') {
			return out, true
		}
		if !d.next(',') {
			return nil, false
		}
	}
}

// str reads a string without escapes or control characters, in valid
// UTF-8 (encoding/json would rewrite anything else).
func (d *scan) str() (string, bool) {
	if !d.next('"') {
		return "", false
	}
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			return string(s), utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return "", false
		}
		d.i++
	}
	return "", false
}

// strings reads an array of strings (empty: an empty slice).
func (d *scan) strings() ([]string, bool) { return list(d, d.str) }

// integer reads a JSON integer that fits an int (a fraction or exponent
// after it is no ',', ']' or '}', so the caller gives up there).
func (d *scan) integer() (int, bool) {
	start := d.i
	d.next('-')
	digits := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	n := d.i - digits
	if n == 0 || (n > 1 && d.b[digits] == '0') {
		return 0, false
	}
	v, err := strconv.ParseInt(string(d.b[start:d.i]), 10, strconv.IntSize)
	return int(v), err == nil
}

// intPtr reads an integer into a new *int.
func (d *scan) intPtr() (*int, bool) {
	v, ok := d.integer()
	return &v, ok
}

// cidr reads an address with its prefix as types.IPNet decodes one.
func (d *scan) cidr() (net.IPNet, bool) {
	s, ok := d.str()
	if !ok {
		return net.IPNet{}, false
	}
	n, err := types.ParseCIDR(s)
	if err != nil {
		return net.IPNet{}, false
	}
	return *n, true
}

// ip reads an address as net.IP decodes one ("" is none).
func (d *scan) ip() (net.IP, bool) {
	s, ok := d.str()
	if !ok || s == "" {
		return nil, ok
	}
	ip := net.ParseIP(s)
	return ip, ip != nil
}

func (d *scan) iface() (*types100.Interface, bool) {
	f := &types100.Interface{}
	d.object(func(key string) (ok bool) {
		switch key {
		case "name":
			f.Name, ok = d.str()
		case "mac":
			f.Mac, ok = d.str()
		case "mtu":
			f.Mtu, ok = d.integer()
		case "sandbox":
			f.Sandbox, ok = d.str()
		case "socketPath":
			f.SocketPath, ok = d.str()
		case "pciID":
			f.PciID, ok = d.str()
		}
		return ok
	})
	return f, d.ok
}

func (d *scan) ipConfig() (*types100.IPConfig, bool) {
	c := &types100.IPConfig{}
	d.object(func(key string) (ok bool) {
		switch key {
		case "interface":
			c.Interface, ok = d.intPtr()
		case "address":
			c.Address, ok = d.cidr()
		case "gateway":
			c.Gateway, ok = d.ip()
		}
		return ok
	})
	return c, d.ok
}

func (d *scan) route() (*types.Route, bool) {
	r := &types.Route{}
	d.object(func(key string) (ok bool) {
		switch key {
		case "dst":
			r.Dst, ok = d.cidr()
		case "gw":
			r.GW, ok = d.ip()
		case "mtu":
			r.MTU, ok = d.integer()
		case "advmss":
			r.AdvMSS, ok = d.integer()
		case "priority":
			r.Priority, ok = d.integer()
		case "table":
			r.Table, ok = d.intPtr()
		case "scope":
			r.Scope, ok = d.intPtr()
		}
		return ok
	})
	return r, d.ok
}

func (d *scan) dns(dns *types.DNS) bool {
	d.object(func(key string) (ok bool) {
		switch key {
		case "nameservers":
			dns.Nameservers, ok = d.strings()
		case "domain":
			dns.Domain, ok = d.str()
		case "search":
			dns.Search, ok = d.strings()
		case "options":
			dns.Options, ok = d.strings()
		}
		return ok
	})
	return d.ok
}
