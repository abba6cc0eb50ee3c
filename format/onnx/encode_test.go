package onnx

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// randModel draws a model touching every field and attribute type the
// encoder writes, nested graphs included, with awkward values (empty and
// non-ASCII strings, negative and huge ints, NaN-free extreme floats, empty
// payloads).
func randModel(r *rand.Rand) *Model {
	m := &Model{
		IRVersion: r.Int64N(20), ProducerName: randStr(r), ProducerVersion: randStr(r), Domain: randStr(r),
		ModelVersion: r.Int64() - r.Int64(), DocString: randStr(r),
	}
	for range r.IntN(3) {
		m.OpsetImports = append(m.OpsetImports, OpsetID{Domain: randStr(r), Version: r.Int64N(30)})
	}
	for range r.IntN(4) {
		m.Metadata = append(m.Metadata, Entry{Key: randStr(r) + "k", Value: randStr(r)})
	}
	if r.IntN(4) > 0 {
		m.Graph = randGraph(r, 0)
	}
	return m
}

func randStr(r *rand.Rand) string {
	alphabet := []string{"", "a", "Σ", "scan_4", "\x00", "é", "/", "net_s.layers_up.0"}
	s := ""
	for range r.IntN(4) {
		s += alphabet[r.IntN(len(alphabet))]
	}
	return s
}

func randInt(r *rand.Rand) int64 {
	switch r.IntN(4) {
	case 0:
		return -r.Int64N(1 << 40)
	case 1:
		return math.MaxInt64 - r.Int64N(3)
	}
	return r.Int64N(1000)
}

func randFloat(r *rand.Rand) float32 {
	vals := []float32{0, -0.5, 1e-8, math.MaxFloat32, -math.SmallestNonzeroFloat32, float32(math.Inf(1))}
	if r.IntN(2) == 0 {
		return vals[r.IntN(len(vals))]
	}
	return float32(r.NormFloat64())
}

func randGraph(r *rand.Rand, depth int) *Graph {
	g := &Graph{Name: randStr(r), DocString: randStr(r)}
	for range r.IntN(4) {
		g.Nodes = append(g.Nodes, randNode(r, depth))
	}
	for range r.IntN(3) {
		g.Initializers = append(g.Initializers, randTensor(r))
	}
	for _, dst := range []*[]*ValueInfo{&g.Inputs, &g.Outputs, &g.ValueInfo} {
		for range r.IntN(3) {
			*dst = append(*dst, randValueInfo(r))
		}
	}
	return g
}

func randNode(r *rand.Rand, depth int) *Node {
	x := &Node{Name: randStr(r), OpType: randStr(r) + "Op", DocString: randStr(r), Domain: randStr(r)}
	for range r.IntN(4) {
		x.Inputs = append(x.Inputs, randStr(r)) // "" is a skipped optional input
	}
	for range r.IntN(3) {
		x.Outputs = append(x.Outputs, randStr(r))
	}
	for range r.IntN(4) {
		a := &Attribute{Name: randStr(r) + "a", Type: AttrType(1 + r.IntN(8))}
		switch a.Type {
		case AttrFloat:
			a.F = randFloat(r)
		case AttrInt:
			a.I = randInt(r)
		case AttrString:
			a.S = []byte(randStr(r))
		case AttrTensor:
			a.T = randTensor(r)
		case AttrGraph:
			if depth >= 2 {
				a.Type, a.I = AttrInt, 0
				break
			}
			a.G = randGraph(r, depth+1)
		case AttrFloats:
			for range 1 + r.IntN(3) {
				a.Floats = append(a.Floats, randFloat(r))
			}
		case AttrInts:
			for range 1 + r.IntN(3) {
				a.Ints = append(a.Ints, randInt(r))
			}
		case AttrStrings:
			for range 1 + r.IntN(3) {
				a.Strings = append(a.Strings, []byte(randStr(r)))
			}
		}
		x.Attrs = append(x.Attrs, a)
	}
	return x
}

func randTensor(r *rand.Rand) *Tensor {
	t := &Tensor{Name: randStr(r), DocString: randStr(r)}
	n := 1
	for range r.IntN(4) {
		d := r.IntN(4)
		t.Dims = append(t.Dims, int64(d))
		n *= d
	}
	if r.IntN(2) == 0 {
		t.DataType = Float
		t.F32 = make([]float32, n)
		for i := range t.F32 {
			t.F32[i] = randFloat(r)
		}
	} else {
		t.DataType = Int64
		t.Raw = make([]byte, 8*n)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint64(t.Raw[8*i:], uint64(randInt(r)))
		}
	}
	return t
}

func randValueInfo(r *rand.Rand) *ValueInfo {
	v := &ValueInfo{Name: randStr(r) + "v", ElemType: DataType(1 + r.IntN(11)), DocString: randStr(r)}
	if r.IntN(3) > 0 {
		v.HasShape = true
		v.Shape = []Dim{}
		for range r.IntN(4) {
			switch r.IntN(3) {
			case 0:
				v.Shape = append(v.Shape, Sym("batch"+randStr(r)))
			case 1:
				v.Shape = append(v.Shape, Fixed(r.IntN(100)))
			default:
				v.Shape = append(v.Shape, Dim{Value: -1})
			}
		}
	}
	return v
}

// canonical is the form Decode returns: payloads as Raw bytes, empty
// rather than missing, and unset optional pieces as their zero values.
func canonical(m *Model) *Model {
	var graph func(g *Graph)
	tensor := func(t *Tensor) {
		if t.Raw == nil {
			b := make([]byte, 0, 4*len(t.F32))
			for _, v := range t.F32 {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
			}
			t.Raw, t.F32 = b, nil
		}
	}
	graph = func(g *Graph) {
		for _, t := range g.Initializers {
			tensor(t)
		}
		for _, x := range g.Nodes {
			for _, a := range x.Attrs {
				if a.T != nil {
					tensor(a.T)
				}
				if a.G != nil {
					graph(a.G)
				}
				if a.S != nil && len(a.S) == 0 {
					a.S = []byte{}
				}
			}
		}
	}
	if m.Graph != nil {
		graph(m.Graph)
	}
	return m
}

// TestMarshalDecodeRoundTrip encodes random models and decodes them back
// with the protowire-based decoder: the same messages, and exactly as many
// bytes as size() announced.
func TestMarshalDecodeRoundTrip(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 1))
		m := randModel(r)
		b := m.Marshal()
		if len(b) != m.size() {
			t.Fatalf("seed %d: %d bytes written, size() said %d", seed, len(b), m.size())
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if want := canonical(m); !equalModels(got, want) {
			t.Fatalf("seed %d: round trip changed the model\n got %+v\nwant %+v", seed, got, want)
		}
		if !bytes.Equal(got.Marshal(), b) {
			t.Fatalf("seed %d: re-encoding the decoded model gives other bytes", seed)
		}
	}
}

func equalModels(a, b *Model) bool {
	norm := func(m *Model) *Model {
		c := *m
		if len(c.OpsetImports) == 0 {
			c.OpsetImports = nil
		}
		if len(c.Metadata) == 0 {
			c.Metadata = nil
		}
		return &c
	}
	return reflect.DeepEqual(normGraphs(norm(a)), normGraphs(norm(b)))
}

// normGraphs maps empty slices to nil throughout (the decoder builds slices
// only for fields it sees).
func normGraphs(m *Model) *Model {
	var graph func(g *Graph)
	graph = func(g *Graph) {
		if len(g.Nodes) == 0 {
			g.Nodes = nil
		}
		if len(g.Initializers) == 0 {
			g.Initializers = nil
		}
		for _, p := range []*[]*ValueInfo{&g.Inputs, &g.Outputs, &g.ValueInfo} {
			if len(*p) == 0 {
				*p = nil
			}
		}
		for _, t := range g.Initializers {
			if len(t.Dims) == 0 {
				t.Dims = nil
			}
		}
		for _, x := range g.Nodes {
			if len(x.Inputs) == 0 {
				x.Inputs = nil
			}
			if len(x.Outputs) == 0 {
				x.Outputs = nil
			}
			if len(x.Attrs) == 0 {
				x.Attrs = nil
			}
			for _, a := range x.Attrs {
				if a.T != nil && len(a.T.Dims) == 0 {
					a.T.Dims = nil
				}
				if a.G != nil {
					graph(a.G)
				}
			}
		}
	}
	if m.Graph != nil {
		graph(m.Graph)
	}
	return m
}

// TestWireLayout checks a hand-built model against field numbers and wire
// types read with protowire directly (not through Decode): ModelProto's
// ir_version (1, varint), graph (7, bytes), opset_import (8) and
// metadata_props (14); a tensor's raw_data (9) little-endian.
func TestWireLayout(t *testing.T) {
	b := NewBuilder("g")
	x := b.Input("x", Float, Sym("batch"), Fixed(2))
	w := b.Init("w", []float32{1.5, -2}, 2)
	b.OpTo("Mul", []string{x, w}, []string{"y"})
	b.Output("y", Float, Sym("batch"), Fixed(2))
	m := &Model{IRVersion: 8, OpsetImports: []OpsetID{{Version: 17}}, Graph: b.G,
		Metadata: []Entry{{"k", "v"}, {"empty", ""}}}
	buf := m.Marshal()
	seen := map[protowire.Number]protowire.Type{}
	var graph []byte
	var meta [][]byte
	for p := buf; len(p) > 0; {
		num, typ, n := protowire.ConsumeTag(p)
		p = p[n:]
		seen[num] = typ
		switch typ {
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(p)
			if num == 1 && v != 8 {
				t.Errorf("ir_version %d", v)
			}
			p = p[n:]
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(p)
			if num == 7 {
				graph = v
			}
			if num == 14 {
				meta = append(meta, v)
			}
			p = p[n:]
		default:
			t.Fatalf("field %d: unexpected wire type %d", num, typ)
		}
	}
	want := map[protowire.Number]protowire.Type{1: protowire.VarintType, 7: protowire.BytesType, 8: protowire.BytesType, 14: protowire.BytesType}
	if !reflect.DeepEqual(seen, want) {
		t.Fatalf("model fields %v, want %v", seen, want)
	}
	if len(meta) != 2 {
		t.Fatalf("%d metadata entries, want 2", len(meta))
	}
	// The initializer's raw_data: field 5 of the graph, then field 9 of it.
	var raw []byte
	for p := graph; len(p) > 0; {
		num, typ, n := protowire.ConsumeTag(p)
		p = p[n:]
		n = protowire.ConsumeFieldValue(num, typ, p)
		if num == 5 {
			v, _ := protowire.ConsumeBytes(p)
			for q := v; len(q) > 0; {
				num2, typ2, n2 := protowire.ConsumeTag(q)
				q = q[n2:]
				n2 = protowire.ConsumeFieldValue(num2, typ2, q)
				if num2 == 9 {
					raw, _ = protowire.ConsumeBytes(q)
				}
				q = q[n2:]
			}
		}
		p = p[n:]
	}
	if !bytes.Equal(raw, []byte{0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0}) {
		t.Fatalf("raw_data % x, want 1.5 and -2 little-endian", raw)
	}
}

// FuzzRoundTrip: any model drawn from the fuzzer's seed survives encode →
// decode → encode unchanged.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []uint64{0, 1, 7, 1 << 40} {
		f.Add(s, s^0xabc)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		m := randModel(rand.New(rand.NewPCG(a, b)))
		enc := m.Marshal()
		got, err := Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !equalModels(got, canonical(m)) || !bytes.Equal(got.Marshal(), enc) {
			t.Fatal("round trip changed the model")
		}
	})
}

// FuzzDecode: arbitrary bytes never make Decode panic or recurse without
// bound.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add(randModel(rand.New(rand.NewPCG(3, 3))).Marshal())
	nested := &Model{Graph: &Graph{}}
	g := nested.Graph
	for range 5 {
		inner := &Graph{Name: "body"}
		g.Nodes = append(g.Nodes, &Node{OpType: "Loop", Attrs: []*Attribute{AGraph("body", inner)}})
		g = inner
	}
	f.Add(nested.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err == nil && m == nil {
			t.Fatal("nil model without an error")
		}
	})
}

// TestDecodeDepthLimit: graphs nested beyond maxDepth are refused.
func TestDecodeDepthLimit(t *testing.T) {
	m := &Model{Graph: &Graph{}}
	g := m.Graph
	for range maxDepth + 2 {
		inner := &Graph{}
		g.Nodes = append(g.Nodes, &Node{OpType: "Loop", Attrs: []*Attribute{AGraph("body", inner)}})
		g = inner
	}
	if _, err := Decode(m.Marshal()); err == nil {
		t.Fatal("no error for graphs nested too deeply")
	}
}
