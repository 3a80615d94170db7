package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/pipeline/timewin"
)

// jsonValue is output.time with its windows as given.
func (t *Time) jsonValue() obj {
	o := obj{{"source", t.Source}, {"epoch", t.EpochName}}
	sp := t.Spec
	switch sp.Kind {
	case timewin.Cycle:
		o.add("cycles", fmt.Sprintf("%d-%d", sp.FirstCycle, sp.LastCycle))
		if sp.CycleDefinition != "" {
			o.add("cycle_definition", sp.CycleDefinition)
		}
	case timewin.Explicit:
		rs := make([]jv, len(sp.Ranges))
		for i, w := range sp.Ranges {
			r := w.Start.UTC().Format(time.RFC3339) + "/" + w.End.UTC().Format(time.RFC3339)
			if w.Label != "" {
				r = w.Label + "=" + r
			}
			rs[i] = r
		}
		o.add("ranges", rs)
	default:
		o.add("every", string(sp.Kind))
		o.add("start", sp.Start.UTC().Format(time.RFC3339))
		o.add("end", sp.End.UTC().Format(time.RFC3339))
	}
	o.add("chunk", max(1, t.Chunk))
	return o
}

// jsonValue is output.trend with its defaults explicit.
func (t *Trend) jsonValue() obj {
	o := obj{{"name", t.Name}, {"value", t.Value}}
	if t.Sigma != "" {
		o.add("sigma", t.Sigma)
	}
	o.add("min_windows", max(2, t.Options.MinWindows))
	o.add("min_span", t.Options.MinSpan)
	o.add("errors", map[agg.ErrorModel]string{agg.ErrorMax: "max", agg.ErrorFormal: "formal", agg.ErrorScaled: "scaled"}[t.Options.Errors])
	return o
}

// MarshalJSON encodes the config as the JSON form of its YAML document (the
// form zagg 0.1.0's Lambda events carry in "config"), with every default made
// explicit and mappings in their YAML order (which is the output order of the
// variables). Parse accepts it back: Parse(name, json) gives an
// equal Config. Non-finite fill values are written as the strings "NaN",
// "Infinity" and "-Infinity".
func (c *Config) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	c.jsonValue().write(&b)
	return b.Bytes(), nil
}

// jv is an ordered JSON value: obj, []jv, string, float64, int, bool or nil.
type jv any

type kv struct {
	k string
	v jv
}

type obj []kv

func (o *obj) add(k string, v jv) { *o = append(*o, kv{k, v}) }

func writeJSON(b *bytes.Buffer, v jv) {
	switch v := v.(type) {
	case obj:
		v.write(b)
	case []jv:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, x)
		}
		b.WriteByte(']')
	case string:
		q, _ := json.Marshal(v)
		b.Write(q)
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		switch {
		case math.IsNaN(v):
			b.WriteString(`"NaN"`)
		case math.IsInf(v, 1):
			b.WriteString(`"Infinity"`)
		case math.IsInf(v, -1):
			b.WriteString(`"-Infinity"`)
		default:
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.RawMessage:
		b.Write(v)
	default:
		b.WriteString("null")
	}
}

func (o obj) write(b *bytes.Buffer) {
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(b, e.k)
		b.WriteByte(':')
		writeJSON(b, e.v)
	}
	b.WriteByte('}')
}

func floats(v []float64) []jv {
	out := make([]jv, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

func (c *Config) jsonValue() obj {
	var root obj
	d := c.DataSource
	var ds obj
	if d.Reader != "" {
		ds.add("reader", d.Reader)
	}
	ds.add("driver", string(d.Driver))
	groups := make([]jv, len(d.Groups))
	for i, g := range d.Groups {
		groups[i] = g
	}
	ds.add("groups", groups)
	ds.add("coordinates", obj{{"latitude", d.Latitude}, {"longitude", d.Longitude}})
	var vars obj
	for _, v := range d.Variables {
		vars.add(v.Name, v.Path)
	}
	ds.add("variables", vars)
	if q := d.QualityFilter; q != nil {
		ds.add("quality_filter", obj{{"dataset", q.Dataset}, {"value", q.Value}})
	}
	if len(d.Filters) > 0 {
		var fs []jv
		for _, f := range d.Filters {
			var o obj
			if f.Variable != "" {
				o.add("variable", f.Variable)
			} else {
				o.add("dataset", f.Dataset)
			}
			o.add("op", f.Op.String())
			o.add("value", floats(f.Values))
			fs = append(fs, o)
		}
		ds.add("filters", fs)
	}
	ds.add("on_granule_error", string(d.OnGranuleError))
	root.add("data_source", ds)

	var ag obj
	if len(c.Aggregation.Coordinates) > 0 {
		var co obj
		for _, x := range c.Aggregation.Coordinates {
			co.add(x.Name, obj{{"dtype", x.DType.String()}, {"fill_value", x.FillValue}})
		}
		ag.add("coordinates", co)
	}
	var av obj
	for _, v := range c.Aggregation.Variables {
		var o obj
		if v.Expression != "" {
			o.add("expression", v.Expression)
		} else {
			o.add("function", v.Function)
			if v.Source != "" {
				o.add("source", v.Source)
			}
			var p obj
			if v.Params.Weights != "" {
				p.add("weights", v.Params.Weights)
			}
			if v.Params.DDof != 0 {
				p.add("ddof", v.Params.DDof)
			}
			if v.Params.Q != nil {
				p.add("q", *v.Params.Q)
			}
			if len(p) > 0 {
				o.add("params", p)
			}
		}
		o.add("dtype", v.DType.String())
		o.add("fill_value", v.FillValue)
		if v.Units != "" {
			o.add("units", v.Units)
		}
		if v.LongName != "" {
			o.add("long_name", v.LongName)
		}
		av.add(v.Name, o)
	}
	ag.add("variables", av)
	root.add("aggregation", ag)

	out := c.Output
	g := obj{{"type", out.Grid.Type}, {"indexing_scheme", out.Grid.IndexingScheme}, {"child_order", out.Grid.ChildOrder}}
	if out.Grid.ParentOrder >= 0 {
		g.add("parent_order", out.Grid.ParentOrder)
	}
	o := obj{{"grid", g}}
	if out.Store != "" {
		o.add("store", out.Store)
	}
	codec := obj{{"name", out.Codec.Name()}}
	if out.Codec.Level != 0 {
		codec.add("level", out.Codec.Level)
	}
	o.add("codec", codec)
	if out.InnerChunkOrder > 0 {
		o.add("inner_chunk_order", out.InnerChunkOrder)
	}
	o.add("latitude", out.Latitude.String())
	if len(out.Orders) > 0 {
		ords := make([]jv, len(out.Orders))
		for i, x := range out.Orders {
			ords[i] = x
		}
		o.add("orders", ords)
	}
	if t := out.Time; t != nil {
		o.add("time", t.jsonValue())
	}
	if t := out.Trend; t != nil {
		o.add("trend", t.jsonValue())
	}
	root.add("output", o)
	if c.Catalog != "" {
		root.add("catalog", c.Catalog)
	}
	if b := c.Bounds; b != nil {
		var bo obj
		if b.StartDate != "" {
			bo.add("temporal", obj{{"start_date", b.StartDate}, {"end_date", b.EndDate}})
		}
		if b.Spatial != nil {
			if raw, err := json.Marshal(b.Spatial); err == nil {
				bo.add("spatial", json.RawMessage(raw))
			}
		}
		root.add("bounds", bo)
	}
	return root
}
