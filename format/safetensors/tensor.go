package safetensors

// Tensor is a named tensor with its values converted to one of the two
// in-memory forms mambaad computes with. It is also the form package pth
// returns and package checkpoint stores, so weights move between the three
// without copying.
type Tensor struct {
	Name  string
	DType DType // the dtype in the file it came from (F32 or I64 when built for writing)
	Shape []int
	F32   []float32 // values of a floating dtype, converted
	I64   []int64   // values of an integer or boolean dtype, converted
}

// Numel returns the number of elements the shape holds (0 for a bad shape).
func (t *Tensor) Numel() int {
	n, _ := Numel(t.Shape)
	return n
}
