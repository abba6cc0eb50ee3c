package onnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Marshal encodes m as an ONNX file. Every nested message's length is
// computed before it is written (size*), so tensor payloads are copied once,
// straight into the output.
func (m *Model) Marshal() []byte {
	return m.append(make([]byte, 0, m.size()))
}

// Field helpers: a field is written when set (proto2 optional semantics);
// the callers decide what "set" means for fields that must appear even
// when zero (an attribute's value, a tensor's data type).

func sizeStr(num protowire.Number, s string) int {
	if s == "" {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeBytes(len(s))
}

func appendStr(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func sizeVarint(num protowire.Number, v int64) int {
	return protowire.SizeTag(num) + protowire.SizeVarint(uint64(v))
}

func appendVarint(b []byte, num protowire.Number, v int64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func sizeMsg(num protowire.Number, n int) int {
	return protowire.SizeTag(num) + protowire.SizeBytes(n)
}

func appendMsgHeader(b []byte, num protowire.Number, n int) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendVarint(b, uint64(n))
}

// Model

func (m *Model) size() int {
	n := sizeVarint(1, m.IRVersion)
	n += sizeStr(2, m.ProducerName) + sizeStr(3, m.ProducerVersion) + sizeStr(4, m.Domain)
	if m.ModelVersion != 0 {
		n += sizeVarint(5, m.ModelVersion)
	}
	n += sizeStr(6, m.DocString)
	if m.Graph != nil {
		n += sizeMsg(7, m.Graph.size())
	}
	for _, o := range m.OpsetImports {
		n += sizeMsg(8, o.size())
	}
	for _, e := range m.Metadata {
		n += sizeMsg(14, e.size())
	}
	return n
}

func (m *Model) append(b []byte) []byte {
	b = appendVarint(b, 1, m.IRVersion)
	b = appendStr(b, 2, m.ProducerName)
	b = appendStr(b, 3, m.ProducerVersion)
	b = appendStr(b, 4, m.Domain)
	if m.ModelVersion != 0 {
		b = appendVarint(b, 5, m.ModelVersion)
	}
	b = appendStr(b, 6, m.DocString)
	if m.Graph != nil {
		b = appendMsgHeader(b, 7, m.Graph.size())
		b = m.Graph.append(b)
	}
	for _, o := range m.OpsetImports {
		b = appendMsgHeader(b, 8, o.size())
		b = o.append(b)
	}
	for _, e := range m.Metadata {
		b = appendMsgHeader(b, 14, e.size())
		b = e.append(b)
	}
	return b
}

// OpsetID: the version is always written (the domain only when not the
// default "").

func (o OpsetID) size() int { return sizeStr(1, o.Domain) + sizeVarint(2, o.Version) }

func (o OpsetID) append(b []byte) []byte {
	b = appendStr(b, 1, o.Domain)
	return appendVarint(b, 2, o.Version)
}

// Entry: both strings; an empty value is still written so the key reads
// back with it.

func (e Entry) size() int {
	return sizeStr(1, e.Key) + protowire.SizeTag(2) + protowire.SizeBytes(len(e.Value))
}

func (e Entry) append(b []byte) []byte {
	b = appendStr(b, 1, e.Key)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendString(b, e.Value)
}

// Graph

func (g *Graph) size() int {
	n := 0
	for _, x := range g.Nodes {
		n += sizeMsg(1, x.size())
	}
	n += sizeStr(2, g.Name)
	for _, t := range g.Initializers {
		n += sizeMsg(5, t.size())
	}
	n += sizeStr(10, g.DocString)
	for _, v := range g.Inputs {
		n += sizeMsg(11, v.size())
	}
	for _, v := range g.Outputs {
		n += sizeMsg(12, v.size())
	}
	for _, v := range g.ValueInfo {
		n += sizeMsg(13, v.size())
	}
	return n
}

func (g *Graph) append(b []byte) []byte {
	for _, x := range g.Nodes {
		b = appendMsgHeader(b, 1, x.size())
		b = x.append(b)
	}
	b = appendStr(b, 2, g.Name)
	for _, t := range g.Initializers {
		b = appendMsgHeader(b, 5, t.size())
		b = t.append(b)
	}
	b = appendStr(b, 10, g.DocString)
	for _, v := range g.Inputs {
		b = appendMsgHeader(b, 11, v.size())
		b = v.append(b)
	}
	for _, v := range g.Outputs {
		b = appendMsgHeader(b, 12, v.size())
		b = v.append(b)
	}
	for _, v := range g.ValueInfo {
		b = appendMsgHeader(b, 13, v.size())
		b = v.append(b)
	}
	return b
}

// Node: inputs are written even when "" (an omitted optional input keeps
// its position).

func (x *Node) size() int {
	n := 0
	for _, s := range x.Inputs {
		n += protowire.SizeTag(1) + protowire.SizeBytes(len(s))
	}
	for _, s := range x.Outputs {
		n += protowire.SizeTag(2) + protowire.SizeBytes(len(s))
	}
	n += sizeStr(3, x.Name) + sizeStr(4, x.OpType)
	for _, a := range x.Attrs {
		n += sizeMsg(5, a.size())
	}
	return n + sizeStr(6, x.DocString) + sizeStr(7, x.Domain)
}

func (x *Node) append(b []byte) []byte {
	for _, s := range x.Inputs {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, s)
	}
	for _, s := range x.Outputs {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, s)
	}
	b = appendStr(b, 3, x.Name)
	b = appendStr(b, 4, x.OpType)
	for _, a := range x.Attrs {
		b = appendMsgHeader(b, 5, a.size())
		b = a.append(b)
	}
	b = appendStr(b, 6, x.DocString)
	return appendStr(b, 7, x.Domain)
}

// Attribute: exactly the value field its Type names is written, even when
// zero (the ONNX checker requires one value field to be present).

func (a *Attribute) size() int {
	n := sizeStr(1, a.Name)
	switch a.Type {
	case AttrFloat:
		n += protowire.SizeTag(2) + protowire.SizeFixed32()
	case AttrInt:
		n += sizeVarint(3, a.I)
	case AttrString:
		n += protowire.SizeTag(4) + protowire.SizeBytes(len(a.S))
	case AttrTensor:
		n += sizeMsg(5, a.T.size())
	case AttrGraph:
		n += sizeMsg(6, a.G.size())
	case AttrFloats:
		n += len(a.Floats) * (protowire.SizeTag(7) + protowire.SizeFixed32())
	case AttrInts:
		for _, v := range a.Ints {
			n += sizeVarint(8, v)
		}
	case AttrStrings:
		for _, s := range a.Strings {
			n += protowire.SizeTag(9) + protowire.SizeBytes(len(s))
		}
	}
	return n + sizeVarint(20, int64(a.Type))
}

func (a *Attribute) append(b []byte) []byte {
	b = appendStr(b, 1, a.Name)
	switch a.Type {
	case AttrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.F))
	case AttrInt:
		b = appendVarint(b, 3, a.I)
	case AttrString:
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendBytes(b, a.S)
	case AttrTensor:
		b = appendMsgHeader(b, 5, a.T.size())
		b = a.T.append(b)
	case AttrGraph:
		b = appendMsgHeader(b, 6, a.G.size())
		b = a.G.append(b)
	case AttrFloats:
		for _, f := range a.Floats {
			b = protowire.AppendTag(b, 7, protowire.Fixed32Type)
			b = protowire.AppendFixed32(b, math.Float32bits(f))
		}
	case AttrInts:
		for _, v := range a.Ints {
			b = appendVarint(b, 8, v)
		}
	case AttrStrings:
		for _, s := range a.Strings {
			b = protowire.AppendTag(b, 9, protowire.BytesType)
			b = protowire.AppendBytes(b, s)
		}
	}
	return appendVarint(b, 20, int64(a.Type))
}

// Tensor: dims, data type, name, raw_data (always, so a zero-size tensor
// still says where its data is), doc string.

func (t *Tensor) rawLen() int {
	if t.Raw != nil {
		return len(t.Raw)
	}
	return 4 * len(t.F32)
}

func (t *Tensor) size() int {
	n := 0
	for _, d := range t.Dims {
		n += sizeVarint(1, d)
	}
	n += sizeVarint(2, int64(t.DataType)) + sizeStr(8, t.Name)
	n += protowire.SizeTag(9) + protowire.SizeBytes(t.rawLen())
	return n + sizeStr(12, t.DocString)
}

func (t *Tensor) append(b []byte) []byte {
	for _, d := range t.Dims {
		b = appendVarint(b, 1, d)
	}
	b = appendVarint(b, 2, int64(t.DataType))
	b = appendStr(b, 8, t.Name)
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	if t.Raw != nil {
		b = protowire.AppendBytes(b, t.Raw)
	} else {
		b = protowire.AppendVarint(b, uint64(4*len(t.F32)))
		for _, v := range t.F32 {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return appendStr(b, 12, t.DocString)
}

// ValueInfo: name, then TypeProto{tensor_type: {elem_type, shape}}.

func (v *ValueInfo) shapeSize() int {
	n := 0
	for _, d := range v.Shape {
		n += sizeMsg(1, d.size())
	}
	return n
}

func (v *ValueInfo) tensorTypeSize() int {
	n := sizeVarint(1, int64(v.ElemType))
	if v.HasShape || v.Shape != nil {
		n += sizeMsg(2, v.shapeSize())
	}
	return n
}

func (v *ValueInfo) size() int {
	return sizeStr(1, v.Name) + sizeMsg(2, sizeMsg(1, v.tensorTypeSize())) + sizeStr(3, v.DocString)
}

func (v *ValueInfo) append(b []byte) []byte {
	b = appendStr(b, 1, v.Name)
	tt := v.tensorTypeSize()
	b = appendMsgHeader(b, 2, sizeMsg(1, tt))
	b = appendMsgHeader(b, 1, tt)
	b = appendVarint(b, 1, int64(v.ElemType))
	if v.HasShape || v.Shape != nil {
		b = appendMsgHeader(b, 2, v.shapeSize())
		for _, d := range v.Shape {
			b = appendMsgHeader(b, 1, d.size())
			b = d.append(b)
		}
	}
	return appendStr(b, 3, v.DocString)
}

// Dim: dim_param when symbolic, else dim_value when known (> 0 or 0 for an
// empty axis marked by Param == "" and Value ≥ 0); a negative Value means
// unknown and writes neither.

func (d Dim) size() int {
	switch {
	case d.Param != "":
		return sizeStr(2, d.Param)
	case d.Value >= 0:
		return sizeVarint(1, d.Value)
	}
	return 0
}

func (d Dim) append(b []byte) []byte {
	switch {
	case d.Param != "":
		return appendStr(b, 2, d.Param)
	case d.Value >= 0:
		return appendVarint(b, 1, d.Value)
	}
	return b
}
