package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Builder assembles a graph: nodes get unique output names, initializers
// are added once per name, and constant int64 vectors (shapes, axes) are
// shared. Subgraphs (Scan bodies) are built by a child Builder that shares
// the name space, so a body may refer to the outer graph's values by name.
type Builder struct {
	G      *Graph
	names  *nameSpace
	consts map[string]string // int64 constant by value → initializer name
	root   *Builder          // the main graph's builder (initializers live there)
}

type nameSpace struct {
	used map[string]bool
	n    int
}

// NewBuilder starts an empty graph.
func NewBuilder(name string) *Builder {
	b := &Builder{G: &Graph{Name: name}, names: &nameSpace{used: map[string]bool{}}, consts: map[string]string{}}
	b.root = b
	return b
}

// Sub starts a subgraph (a Scan or Loop body) in b's name space. Constants
// and initializers it asks for are put in the root graph and referred to
// from the body as outer-scope values.
func (b *Builder) Sub(name string) *Builder {
	return &Builder{G: &Graph{Name: name}, names: b.names, consts: b.root.consts, root: b.root}
}

// Name returns a fresh value name starting with prefix.
func (b *Builder) Name(prefix string) string {
	ns := b.names
	for {
		ns.n++
		s := fmt.Sprintf("%s_%d", prefix, ns.n)
		if !ns.used[s] {
			ns.used[s] = true
			return s
		}
	}
}

// reserve claims an exact name (inputs, outputs, initializers).
func (b *Builder) reserve(name string) string {
	if b.names.used[name] {
		panic("onnx: name " + name + " used twice")
	}
	b.names.used[name] = true
	return name
}

// Input declares a graph input.
func (b *Builder) Input(name string, t DataType, shape ...Dim) string {
	b.G.Inputs = append(b.G.Inputs, &ValueInfo{Name: b.reserve(name), ElemType: t, Shape: shape, HasShape: shape != nil})
	return name
}

// FreshInput declares a graph input under a fresh name starting with
// prefix (subgraph inputs).
func (b *Builder) FreshInput(prefix string, t DataType, shape ...Dim) string {
	name := b.Name(prefix)
	b.G.Inputs = append(b.G.Inputs, &ValueInfo{Name: name, ElemType: t, Shape: shape, HasShape: shape != nil})
	return name
}

// Output declares value as a graph output under its own name.
func (b *Builder) Output(value string, t DataType, shape ...Dim) {
	b.G.Outputs = append(b.G.Outputs, &ValueInfo{Name: value, ElemType: t, Shape: shape, HasShape: shape != nil})
}

// Op adds a node with one output and returns the output's name.
func (b *Builder) Op(op string, inputs []string, attrs ...*Attribute) string {
	return b.OpN(op, inputs, 1, attrs...)[0]
}

// OpN adds a node with n outputs.
func (b *Builder) OpN(op string, inputs []string, n int, attrs ...*Attribute) []string {
	outs := make([]string, n)
	prefix := strings.ToLower(op)
	for i := range outs {
		outs[i] = b.Name(prefix)
	}
	b.OpTo(op, inputs, outs, attrs...)
	return outs
}

// OpTo adds a node writing the given output names (reserved here).
func (b *Builder) OpTo(op string, inputs, outputs []string, attrs ...*Attribute) {
	for _, o := range outputs {
		b.names.used[o] = true
	}
	b.G.Nodes = append(b.G.Nodes, &Node{OpType: op, Inputs: inputs, Outputs: outputs,
		Name: b.Name("n_" + op), Attrs: attrs})
}

// Init adds a float32 initializer (shape dims) under a fresh name starting
// with prefix; the values are referenced, not copied.
func (b *Builder) Init(prefix string, v []float32, dims ...int) string {
	if n := numel(dims); n != len(v) {
		panic(fmt.Sprintf("onnx: initializer %s: %d values for shape %v", prefix, len(v), dims))
	}
	name := b.Name(prefix)
	b.root.G.Initializers = append(b.root.G.Initializers, &Tensor{Name: name, DataType: Float, Dims: i64s(dims), F32: v})
	return name
}

// InitI64 adds an int64 initializer.
func (b *Builder) InitI64(prefix string, v []int64, dims ...int) string {
	if n := numel(dims); n != len(v) {
		panic(fmt.Sprintf("onnx: initializer %s: %d values for shape %v", prefix, len(v), dims))
	}
	raw := make([]byte, 0, 8*len(v))
	for _, x := range v {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(x))
	}
	name := b.Name(prefix)
	b.root.G.Initializers = append(b.root.G.Initializers, &Tensor{Name: name, DataType: Int64, Dims: i64s(dims), Raw: raw})
	return name
}

// Ints returns a shared 1-D int64 constant (a shape, axes, split sizes).
func (b *Builder) Ints(v ...int64) string {
	key := fmt.Sprint(v)
	if s, ok := b.consts[key]; ok {
		return s
	}
	s := b.InitI64("c", v, len(v))
	b.consts[key] = s
	return s
}

// Scalar returns a shared float32 scalar constant (shape []).
func (b *Builder) Scalar(v float32) string {
	key := fmt.Sprintf("f%08x", math.Float32bits(v))
	if s, ok := b.consts[key]; ok {
		return s
	}
	s := b.Init("s", []float32{v})
	b.consts[key] = s
	return s
}

func numel(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

func i64s(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// Attribute constructors.

// AInt is an INT attribute.
func AInt(name string, v int64) *Attribute { return &Attribute{Name: name, Type: AttrInt, I: v} }

// AInts is an INTS attribute.
func AInts(name string, v ...int64) *Attribute {
	return &Attribute{Name: name, Type: AttrInts, Ints: v}
}

// AFloat is a FLOAT attribute.
func AFloat(name string, v float32) *Attribute {
	return &Attribute{Name: name, Type: AttrFloat, F: v}
}

// AString is a STRING attribute.
func AString(name, v string) *Attribute {
	return &Attribute{Name: name, Type: AttrString, S: []byte(v)}
}

// AGraph is a GRAPH attribute.
func AGraph(name string, g *Graph) *Attribute {
	return &Attribute{Name: name, Type: AttrGraph, G: g}
}

// ATensor is a TENSOR attribute.
func ATensor(name string, t *Tensor) *Attribute {
	return &Attribute{Name: name, Type: AttrTensor, T: t}
}

// Sym is a symbolic dimension; Fixed a known one.
func Sym(name string) Dim { return Dim{Value: -1, Param: name} }

// Fixed is a known dimension.
func Fixed(v int) Dim { return Dim{Value: int64(v)} }
