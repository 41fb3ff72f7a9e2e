// Oracle for the robfig/cron v1.2.0 conformance table: built against robfig's own
// parser.go, spec.go, constantdelay.go and cron.go copied from tag v1.2.0 into ./cron.
// Reads JSON lines {"spec","zone","from"} and prints robfig/cron v1.2.0's answer.
// zone: IANA name, or "+hh:mm"/"-hh:mm" for a fixed zone. from: RFC3339.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"oracle/cron"
)

type in struct {
	Spec string `json:"spec"`
	Zone string `json:"zone"`
	From string `json:"from"`
	// "standard": cron.ParseStandard instead of cron.Parse
	Parser string `json:"parser"`
}
type out struct {
	Next  *string           `json:"next"`
	Error *string           `json:"error"`
	Bits  map[string]string `json:"bits,omitempty"`
	Delay *string           `json:"delay,omitempty"`
}

func loc(z string) *time.Location {
	if strings.HasPrefix(z, "+") || strings.HasPrefix(z, "-") {
		var h, m int
		fmt.Sscanf(z[1:], "%d:%d", &h, &m)
		off := h*3600 + m*60
		if z[0] == '-' {
			off = -off
		}
		return time.FixedZone("", off)
	}
	l, err := time.LoadLocation(z)
	if err != nil {
		panic(err)
	}
	return l
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	enc := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		var c in
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			panic(err)
		}
		var o out
		parse := cron.Parse
		if c.Parser == "standard" {
			parse = cron.ParseStandard
		}
		s, err := parse(c.Spec)
		if err != nil {
			e := err.Error()
			o.Error = &e
		} else {
			switch v := s.(type) {
			case *cron.SpecSchedule:
				o.Bits = map[string]string{
					"seconds": fmt.Sprintf("0x%x", v.Second), "minutes": fmt.Sprintf("0x%x", v.Minute),
					"hours": fmt.Sprintf("0x%x", v.Hour), "day-of-month": fmt.Sprintf("0x%x", v.Dom),
					"month": fmt.Sprintf("0x%x", v.Month), "day-of-week": fmt.Sprintf("0x%x", v.Dow)}
			case cron.ConstantDelaySchedule:
				d := v.Delay.String()
				o.Delay = &d
			}
			if c.From == "" {
				enc.Encode(o)
				continue
			}
			from, err := time.Parse(time.RFC3339Nano, c.From)
			if err != nil {
				panic(err)
			}
			n := s.Next(from.In(loc(c.Zone)))
			if !n.IsZero() {
				v := n.Format(time.RFC3339Nano)
				o.Next = &v
			}
		}
		enc.Encode(o)
	}
}
