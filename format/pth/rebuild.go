package pth

import (
	"fmt"

	"github.com/nlpodyssey/gopickle/types"
)

// callable adapts a Go function to a pickle callable (GLOBAL + REDUCE). It
// is a pointer, as every other pickled value is, so that it can be a dict
// key or set item without making gopickle's maps panic.
type callable struct {
	name string // the Python name, for messages
	fn   func(args ...any) (any, error)
}

func (c *callable) Call(args ...any) (any, error) { return c.fn(args...) }

// rebuildTensor is torch._utils._rebuild_tensor_v2(storage, storage_offset,
// size, stride, requires_grad, backward_hooks[, metadata]).
func rebuildTensor(args ...any) (any, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments", len(args))
	}
	st, ok1 := args[0].(*storage)
	off, ok2 := args[1].(int)
	size, err1 := intTuple(args[2])
	stride, err2 := intTuple(args[3])
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("_rebuild_tensor_v2 with unexpected arguments %s", brief(types.NewTupleFromSlice(args[:4])))
	}
	return &tensorRef{st: st, offset: off, size: size, stride: stride}, nil
}

// rebuildParameter unwraps an nn.Parameter (state dicts saved with
// keep_vars=True or whole modules hold these) to its tensor.
func rebuildParameter(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("_rebuild_parameter without arguments")
	}
	if _, ok := args[0].(*tensorRef); !ok {
		return nil, fmt.Errorf("_rebuild_parameter of %T, want a tensor", args[0])
	}
	return args[0], nil
}

// rebuildFromType is torch._tensor._rebuild_from_type_v2(func, type, args,
// state), used for tensor subclasses: the subclass is dropped, the data kept.
func rebuildFromType(args ...any) (any, error) {
	if len(args) < 3 {
		return nil, fmt.Errorf("_rebuild_from_type_v2 with %d arguments", len(args))
	}
	fn, ok1 := args[0].(*callable)
	inner, ok2 := args[2].(*types.Tuple)
	if !ok1 || !ok2 || fn.name == "torch._tensor._rebuild_from_type_v2" {
		// (Nested in itself it would recurse once per level on every call.)
		return nil, fmt.Errorf("_rebuild_from_type_v2 with unexpected arguments")
	}
	return fn.Call(*inner...)
}

func intTuple(v any) ([]int, error) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, fmt.Errorf("%s is not a tuple", brief(v))
	}
	out := make([]int, t.Len())
	for i := range out {
		n, ok := t.Get(i).(int)
		if !ok {
			return nil, fmt.Errorf("%s is not a tuple of ints", brief(v))
		}
		out[i] = n
	}
	return out, nil
}

// opaque stands for any Python class this package does not model. It can
// be called, instantiated and given state, so foreign objects in a checkpoint
// (numpy scalars, argparse namespaces, ...) unpickle harmlessly.
type opaque struct{ name string }

type opaqueObject struct {
	class *opaque
	args  []any
	state any
}

func (o *opaque) Call(args ...any) (any, error)  { return &opaqueObject{class: o, args: args}, nil }
func (o *opaque) PyNew(args ...any) (any, error) { return &opaqueObject{class: o, args: args}, nil }

func (o *opaqueObject) PySetState(state any) error {
	o.state = state
	return nil
}

func (o *opaqueObject) String() string { return o.class.name + " object" }
