package onnx

import (
	"errors"
	"fmt"
	"math"
	"os"

	"google.golang.org/protobuf/encoding/protowire"
)

// Decode parses an ONNX file into the subset of messages this package
// knows; fields outside it are skipped. Tensor payloads are returned as Raw
// slices of b (float_data and other typed fields are not read). Malformed
// input is an error, never a panic.
func Decode(b []byte) (*Model, error) {
	m := new(Model)
	if err := decodeModel(b, m); err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return m, nil
}

// ReadMetadata returns the metadata_props of an ONNX file, in file order.
func ReadMetadata(path string) ([]Entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m.Metadata, nil
}

// maxDepth bounds graph nesting (a Scan body inside a Scan body …), so a
// hostile file cannot exhaust the stack.
const maxDepth = 64

var errDepth = errors.New("graphs nested too deeply")

// field is one decoded field: its number, wire type and value (v for
// varint and fixed types, p for bytes).
type field struct {
	num protowire.Number
	typ protowire.Type
	v   uint64
	p   []byte
}

// fields calls fn for every field of message b.
func fields(b []byte, fn func(f field) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		f := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			f.v = uint64(v)
		case protowire.Fixed64Type:
			f.v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			f.p, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// want checks a known field's wire type.
func (f field) want(t protowire.Type) error {
	if f.typ != t {
		return fmt.Errorf("field %d has wire type %d, want %d", f.num, f.typ, t)
	}
	return nil
}

// ints appends a repeated int64 field in either encoding (unpacked
// varints, or packed in one length-delimited field).
func (f field) ints(dst []int64) ([]int64, error) {
	switch f.typ {
	case protowire.VarintType:
		return append(dst, int64(f.v)), nil
	case protowire.BytesType:
		p := f.p
		for len(p) > 0 {
			v, n := protowire.ConsumeVarint(p)
			if n < 0 {
				return nil, fmt.Errorf("field %d: %w", f.num, protowire.ParseError(n))
			}
			dst, p = append(dst, int64(v)), p[n:]
		}
		return dst, nil
	}
	return nil, fmt.Errorf("field %d has wire type %d, want a varint", f.num, f.typ)
}

// floats appends a repeated float field in either encoding.
func (f field) floats(dst []float32) ([]float32, error) {
	switch f.typ {
	case protowire.Fixed32Type:
		return append(dst, math.Float32frombits(uint32(f.v))), nil
	case protowire.BytesType:
		if len(f.p)%4 != 0 {
			return nil, fmt.Errorf("field %d: packed floats of %d bytes", f.num, len(f.p))
		}
		for p := f.p; len(p) > 0; p = p[4:] {
			v, _ := protowire.ConsumeFixed32(p)
			dst = append(dst, math.Float32frombits(v))
		}
		return dst, nil
	}
	return nil, fmt.Errorf("field %d has wire type %d, want fixed32", f.num, f.typ)
}

func decodeModel(b []byte, m *Model) error {
	return fields(b, func(f field) error {
		var err error
		switch f.num {
		case 1:
			if err = f.want(protowire.VarintType); err == nil {
				m.IRVersion = int64(f.v)
			}
		case 2, 3, 4, 6:
			if err = f.want(protowire.BytesType); err == nil {
				*map[protowire.Number]*string{2: &m.ProducerName, 3: &m.ProducerVersion, 4: &m.Domain, 6: &m.DocString}[f.num] = string(f.p)
			}
		case 5:
			if err = f.want(protowire.VarintType); err == nil {
				m.ModelVersion = int64(f.v)
			}
		case 7:
			if err = f.want(protowire.BytesType); err == nil {
				m.Graph = new(Graph)
				err = decodeGraph(f.p, m.Graph, 0)
			}
		case 8:
			if err = f.want(protowire.BytesType); err == nil {
				var o OpsetID
				err = fields(f.p, func(g field) error {
					switch g.num {
					case 1:
						if e := g.want(protowire.BytesType); e != nil {
							return e
						}
						o.Domain = string(g.p)
					case 2:
						if e := g.want(protowire.VarintType); e != nil {
							return e
						}
						o.Version = int64(g.v)
					}
					return nil
				})
				m.OpsetImports = append(m.OpsetImports, o)
			}
		case 14:
			if err = f.want(protowire.BytesType); err == nil {
				var e Entry
				err = fields(f.p, func(g field) error {
					if g.num != 1 && g.num != 2 {
						return nil
					}
					if e := g.want(protowire.BytesType); e != nil {
						return e
					}
					if g.num == 1 {
						e.Key = string(g.p)
					} else {
						e.Value = string(g.p)
					}
					return nil
				})
				m.Metadata = append(m.Metadata, e)
			}
		}
		if err != nil {
			return fmt.Errorf("model: %w", err)
		}
		return nil
	})
}

func decodeGraph(b []byte, g *Graph, depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	return fields(b, func(f field) error {
		switch f.num {
		case 1, 2, 5, 10, 11, 12, 13:
		default:
			return nil
		}
		if err := f.want(protowire.BytesType); err != nil {
			return fmt.Errorf("graph: %w", err)
		}
		var err error
		switch f.num {
		case 1:
			x := new(Node)
			err = decodeNode(f.p, x, depth)
			g.Nodes = append(g.Nodes, x)
		case 2:
			g.Name = string(f.p)
		case 5:
			t := new(Tensor)
			err = decodeTensor(f.p, t)
			g.Initializers = append(g.Initializers, t)
		case 10:
			g.DocString = string(f.p)
		case 11, 12, 13:
			v := new(ValueInfo)
			err = decodeValueInfo(f.p, v)
			switch f.num {
			case 11:
				g.Inputs = append(g.Inputs, v)
			case 12:
				g.Outputs = append(g.Outputs, v)
			default:
				g.ValueInfo = append(g.ValueInfo, v)
			}
		}
		if err != nil {
			return fmt.Errorf("graph %q: %w", g.Name, err)
		}
		return nil
	})
}

func decodeNode(b []byte, x *Node, depth int) error {
	return fields(b, func(f field) error {
		switch f.num {
		case 1, 2, 3, 4, 5, 6, 7:
		default:
			return nil
		}
		if err := f.want(protowire.BytesType); err != nil {
			return fmt.Errorf("node: %w", err)
		}
		switch f.num {
		case 1:
			x.Inputs = append(x.Inputs, string(f.p))
		case 2:
			x.Outputs = append(x.Outputs, string(f.p))
		case 3:
			x.Name = string(f.p)
		case 4:
			x.OpType = string(f.p)
		case 5:
			a := new(Attribute)
			if err := decodeAttr(f.p, a, depth); err != nil {
				return fmt.Errorf("node %q: %w", x.Name, err)
			}
			x.Attrs = append(x.Attrs, a)
		case 6:
			x.DocString = string(f.p)
		case 7:
			x.Domain = string(f.p)
		}
		return nil
	})
}

func decodeAttr(b []byte, a *Attribute, depth int) error {
	return fields(b, func(f field) error {
		var err error
		switch f.num {
		case 1, 4, 9:
			if err = f.want(protowire.BytesType); err == nil {
				switch f.num {
				case 1:
					a.Name = string(f.p)
				case 4:
					a.S = append([]byte{}, f.p...)
				case 9:
					a.Strings = append(a.Strings, append([]byte{}, f.p...))
				}
			}
		case 2:
			if err = f.want(protowire.Fixed32Type); err == nil {
				a.F = math.Float32frombits(uint32(f.v))
			}
		case 3:
			if err = f.want(protowire.VarintType); err == nil {
				a.I = int64(f.v)
			}
		case 5:
			if err = f.want(protowire.BytesType); err == nil {
				a.T = new(Tensor)
				err = decodeTensor(f.p, a.T)
			}
		case 6:
			if err = f.want(protowire.BytesType); err == nil {
				a.G = new(Graph)
				err = decodeGraph(f.p, a.G, depth+1)
			}
		case 7:
			a.Floats, err = f.floats(a.Floats)
		case 8:
			a.Ints, err = f.ints(a.Ints)
		case 20:
			if err = f.want(protowire.VarintType); err == nil {
				a.Type = AttrType(int32(f.v))
			}
		}
		if err != nil {
			return fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		return nil
	})
}

func decodeTensor(b []byte, t *Tensor) error {
	err := fields(b, func(f field) error {
		var err error
		switch f.num {
		case 1:
			t.Dims, err = f.ints(t.Dims)
		case 2:
			if err = f.want(protowire.VarintType); err == nil {
				t.DataType = DataType(int32(f.v))
			}
		case 8, 9, 12:
			if err = f.want(protowire.BytesType); err == nil {
				switch f.num {
				case 8:
					t.Name = string(f.p)
				case 9:
					t.Raw = f.p
				case 12:
					t.DocString = string(f.p)
				}
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	if t.Raw == nil {
		t.Raw = []byte{}
	}
	return nil
}

func decodeValueInfo(b []byte, v *ValueInfo) error {
	err := fields(b, func(f field) error {
		switch f.num {
		case 1, 3:
			if err := f.want(protowire.BytesType); err != nil {
				return err
			}
			if f.num == 1 {
				v.Name = string(f.p)
			} else {
				v.DocString = string(f.p)
			}
		case 2: // TypeProto
			if err := f.want(protowire.BytesType); err != nil {
				return err
			}
			return fields(f.p, func(g field) error {
				if g.num != 1 { // tensor_type only
					return nil
				}
				if err := g.want(protowire.BytesType); err != nil {
					return err
				}
				return fields(g.p, func(h field) error {
					switch h.num {
					case 1:
						if err := h.want(protowire.VarintType); err != nil {
							return err
						}
						v.ElemType = DataType(int32(h.v))
					case 2:
						if err := h.want(protowire.BytesType); err != nil {
							return err
						}
						v.HasShape = true
						v.Shape = []Dim{}
						return fields(h.p, func(s field) error {
							if s.num != 1 {
								return nil
							}
							if err := s.want(protowire.BytesType); err != nil {
								return err
							}
							d := Dim{Value: -1}
							err := fields(s.p, func(e field) error {
								switch e.num {
								case 1:
									if err := e.want(protowire.VarintType); err != nil {
										return err
									}
									d.Value = int64(e.v)
								case 2:
									if err := e.want(protowire.BytesType); err != nil {
										return err
									}
									d.Param = string(e.p)
								}
								return nil
							})
							v.Shape = append(v.Shape, d)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("value info %q: %w", v.Name, err)
	}
	return nil
}
