// Command gen-fixtures records how the upstream Go CNI library (v1.3.0)
// parses, converts and prints a set of CNI results, so the Rust port can be
// checked byte for byte against it.
//
// Usage: go run . ../fixtures/results
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/types/create"
	"github.com/containernetworking/cni/pkg/version"
)

// allVersions are the seven result versions the library knows, plus a few
// targets that exercise the fallbacks ("" means 0.1.0) and the failures.
var allVersions = []string{"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}
var targets = append(append([]string{}, allVersions...), "", "0.5.0", "2.0.0")

// outcome is either a success (ok, and pretty when printing is recorded)
// or the error text.
type outcome struct {
	Target string  `json:"target,omitempty"`
	OK     *string `json:"ok,omitempty"`
	Pretty *string `json:"pretty,omitempty"`
	Err    *string `json:"err,omitempty"`
}

type resultCase struct {
	Name string `json:"name"`
	// Create is the version handed to create.Create; "auto" means
	// create.CreateFromBytes.
	Create   string `json:"create"`
	Input    string `json:"input,omitempty"`
	InputHex string `json:"input_hex,omitempty"`
	// Version is the parsed result's Version().
	Version string  `json:"version,omitempty"`
	Parsed  outcome `json:"parsed"`
	// Convert holds GetAsVersion(target) for every target.
	Convert []outcome `json:"convert,omitempty"`
	// Chain holds GetAsVersion(a).GetAsVersion(b), keyed "a>b".
	Chain []outcome `json:"chain,omitempty"`
}

type simpleCase struct {
	Input    string  `json:"input,omitempty"`
	InputHex string  `json:"input_hex,omitempty"`
	OK       *string `json:"ok,omitempty"`
	Err      *string `json:"err,omitempty"`
}

type compareCase struct {
	A     string  `json:"a"`
	B     string  `json:"b"`
	GE    *bool   `json:"ge,omitempty"`
	GT    *bool   `json:"gt,omitempty"`
	Parse *string `json:"parse,omitempty"`
	Err   *string `json:"err,omitempty"`
}

type manifest struct {
	UnsupportedVersion string        `json:"unsupported_version"`
	Results            []resultCase  `json:"results"`
	DecodeVersion      []simpleCase  `json:"decode_version"`
	PluginInfo         []simpleCase  `json:"plugin_info"`
	Versions           []compareCase `json:"versions"`
	Legacy             string        `json:"legacy"`
	All                string        `json:"all"`
}

func str(s string) *string { return &s }

func errText(err error) *string { return str(err.Error()) }

func compact(r types.Result) (string, error) {
	b, err := json.Marshal(r)
	return string(b), err
}

func pretty(r types.Result) (string, error) {
	var buf bytes.Buffer
	err := r.PrintTo(&buf)
	return buf.String(), err
}

func describe(r types.Result, err error, withPretty bool) outcome {
	if err != nil {
		return outcome{Err: errText(err)}
	}
	c, err := compact(r)
	if err != nil {
		return outcome{Err: str("marshal: " + err.Error())}
	}
	o := outcome{OK: str(c)}
	if withPretty {
		p, err := pretty(r)
		if err != nil {
			return outcome{Err: str("print: " + err.Error())}
		}
		o.Pretty = str(p)
	}
	return o
}

func setInput(raw string, input, inputHex *string) {
	if utf8.ValidString(raw) {
		*input = raw
	} else {
		*inputHex = hex.EncodeToString([]byte(raw))
	}
}

func resultFixture(in resultInput) resultCase {
	c := resultCase{Name: in.name, Create: in.create}
	setInput(in.json, &c.Input, &c.InputHex)
	var r types.Result
	var err error
	if in.create == "auto" {
		r, err = create.CreateFromBytes([]byte(in.json))
	} else {
		r, err = create.Create(in.create, []byte(in.json))
	}
	c.Parsed = describe(r, err, true)
	if err != nil {
		return c
	}
	c.Version = r.Version()
	for _, t := range targets {
		got, err := r.GetAsVersion(t)
		o := describe(got, err, true)
		o.Target = t
		c.Convert = append(c.Convert, o)
	}
	for _, a := range allVersions {
		mid, err := r.GetAsVersion(a)
		if err != nil {
			continue
		}
		for _, b := range allVersions {
			got, err := mid.GetAsVersion(b)
			o := describe(got, err, false)
			o.Target = a + ">" + b
			c.Chain = append(c.Chain, o)
		}
	}
	return c
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen-fixtures OUTDIR")
		os.Exit(2)
	}
	out := os.Args[1]

	m := manifest{}
	_, err := create.Create("0.5.0", []byte(`{"cniVersion":"0.5.0"}`))
	m.UnsupportedVersion = err.Error()

	for _, in := range resultInputs {
		m.Results = append(m.Results, resultFixture(in))
	}

	for _, in := range decodeVersionInputs {
		c := simpleCase{}
		setInput(in, &c.Input, &c.InputHex)
		v, err := create.DecodeVersion([]byte(in))
		if err != nil {
			c.Err = errText(err)
		} else {
			c.OK = str(v)
		}
		m.DecodeVersion = append(m.DecodeVersion, c)
	}

	dec := version.PluginDecoder{}
	for _, in := range pluginInfoInputs {
		c := simpleCase{}
		setInput(in, &c.Input, &c.InputHex)
		info, err := dec.Decode([]byte(in))
		if err != nil {
			c.Err = errText(err)
		} else {
			c.OK = str(encodeInfo(info))
		}
		m.PluginInfo = append(m.PluginInfo, c)
	}
	m.Legacy = encodeInfo(version.Legacy)
	m.All = encodeInfo(version.All)

	for _, p := range versionPairs {
		c := compareCase{A: p[0], B: p[1]}
		if maj, min, mic, err := version.ParseVersion(p[0]); err != nil {
			c.Parse = errText(err)
		} else {
			c.Parse = str(fmt.Sprintf("%d.%d.%d", maj, min, mic))
		}
		ge, err := version.GreaterThanOrEqualTo(p[0], p[1])
		if err != nil {
			c.Err = errText(err)
		} else {
			gt, err := version.GreaterThan(p[0], p[1])
			if err != nil {
				panic(err)
			}
			c.GE, c.GT = &ge, &gt
		}
		m.Versions = append(m.Versions, c)
	}

	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), append(data, '\n'), 0o644); err != nil {
		panic(err)
	}
}

func encodeInfo(info version.PluginInfo) string {
	var buf bytes.Buffer
	if err := info.Encode(&buf); err != nil {
		panic(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
