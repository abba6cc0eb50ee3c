// Package onnx writes ONNX models without generated code or cgo: the subset
// of onnx.proto a static inference graph needs (model, graph, node,
// attribute, tensor, value info, metadata), encoded by hand on
// google.golang.org/protobuf's wire package, plus a decoder for the same
// subset (tests, metadata inspection), a small graph builder, and the
// export of a MambaAD network as one graph from the normalised image to the
// anomaly map and the image score (Export).
package onnx

import "strconv"

// Field numbers and enums are those of onnx/onnx.proto (IR version 8,
// opset 17). Messages are written with their fields in field-number order;
// repeated scalars unpacked (onnx.proto is proto2), tensor payloads as
// raw_data (little-endian), as the ONNX reference writer does.

// DataType is TensorProto.DataType.
type DataType int32

// The element types used here.
const (
	Float  DataType = 1
	Uint8  DataType = 2
	Int8   DataType = 3
	Int32  DataType = 6
	Int64  DataType = 7
	String DataType = 8
	Bool   DataType = 9
	Double DataType = 11
)

// Size is the width of one element in bytes (0 for String).
func (t DataType) Size() int {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Int32, Float:
		return 4
	case Int64, Double:
		return 8
	}
	return 0
}

func (t DataType) String() string {
	switch t {
	case Float:
		return "float32"
	case Uint8:
		return "uint8"
	case Int8:
		return "int8"
	case Int32:
		return "int32"
	case Int64:
		return "int64"
	case String:
		return "string"
	case Bool:
		return "bool"
	case Double:
		return "float64"
	}
	return "datatype(" + strconv.Itoa(int(t)) + ")"
}

// AttrType is AttributeProto.AttributeType.
type AttrType int32

// Attribute types.
const (
	AttrFloat   AttrType = 1
	AttrInt     AttrType = 2
	AttrString  AttrType = 3
	AttrTensor  AttrType = 4
	AttrGraph   AttrType = 5
	AttrFloats  AttrType = 6
	AttrInts    AttrType = 7
	AttrStrings AttrType = 8
)

// Model is ModelProto.
type Model struct {
	IRVersion       int64     // 1
	ProducerName    string    // 2
	ProducerVersion string    // 3
	Domain          string    // 4
	ModelVersion    int64     // 5
	DocString       string    // 6
	Graph           *Graph    // 7
	OpsetImports    []OpsetID // 8
	Metadata        []Entry   // 14: metadata_props, in order
}

// OpsetID is OperatorSetIdProto.
type OpsetID struct {
	Domain  string // 1 ("" is the default ai.onnx domain)
	Version int64  // 2
}

// Entry is StringStringEntryProto.
type Entry struct{ Key, Value string }

// Graph is GraphProto.
type Graph struct {
	Nodes        []*Node      // 1
	Name         string       // 2
	Initializers []*Tensor    // 5
	DocString    string       // 10
	Inputs       []*ValueInfo // 11
	Outputs      []*ValueInfo // 12
	ValueInfo    []*ValueInfo // 13
}

// Node is NodeProto.
type Node struct {
	Inputs    []string     // 1
	Outputs   []string     // 2
	Name      string       // 3
	OpType    string       // 4
	Attrs     []*Attribute // 5
	DocString string       // 6
	Domain    string       // 7
}

// Attribute is AttributeProto; Type says which value field is meant.
type Attribute struct {
	Name    string    // 1
	F       float32   // 2
	I       int64     // 3
	S       []byte    // 4
	T       *Tensor   // 5
	G       *Graph    // 6
	Floats  []float32 // 7
	Ints    []int64   // 8
	Strings [][]byte  // 9
	Type    AttrType  // 20
}

// Tensor is TensorProto with its payload as raw_data: Raw, or F32 (written
// as little-endian float32 without an intermediate copy) when Raw is nil.
type Tensor struct {
	Dims      []int64   // 1
	DataType  DataType  // 2
	Name      string    // 8
	Raw       []byte    // 9
	F32       []float32 // 9, when Raw is nil
	DocString string    // 12
}

// ValueInfo is ValueInfoProto with a tensor type. Without HasShape (and
// with Shape nil) no shape is written: the rank is unknown. A Dim with
// Param set is symbolic (e.g. "batch"), one with Value ≥ 0 known, one with
// Value < 0 and no Param unknown.
type ValueInfo struct {
	Name      string // 1
	ElemType  DataType
	Shape     []Dim
	HasShape  bool   // write a shape (Shape may then be empty: a scalar)
	DocString string // 3
}

// Dim is TensorShapeProto.Dimension.
type Dim struct {
	Value int64  // 1
	Param string // 2
}
