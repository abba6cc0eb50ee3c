package pth

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
)

type entry struct {
	key any
	val any
}

// items lists a Python dict or OrderedDict in iteration order. A key set
// twice keeps its first position and its last value, as in Python.
func items(v any) ([]entry, bool) {
	var raw []entry
	switch d := v.(type) {
	case *types.Dict:
		for _, e := range *d {
			raw = append(raw, entry{e.Key, e.Value})
		}
	case *types.OrderedDict:
		for el := d.List.Front(); el != nil; el = el.Next() {
			e := el.Value.(*types.OrderedDictEntry)
			raw = append(raw, entry{e.Key, e.Value})
		}
	default:
		return nil, false
	}
	return dedupe(raw), true
}

func dedupe(raw []entry) []entry {
	pos := map[any]int{}
	out := raw[:0:0]
	for _, e := range raw {
		if s, ok := e.key.(string); ok {
			if i, dup := pos[s]; dup {
				out[i].val = e.val
				continue
			}
			pos[s] = len(out)
		}
		out = append(out, e)
	}
	return out
}

type namedRef struct {
	name string
	t    *tensorRef
}

// stateDict returns v as a state dict: a non-empty dict whose keys are all
// strings and whose values are all tensors.
func stateDict(v any) ([]namedRef, bool) {
	es, ok := items(v)
	if !ok || len(es) == 0 {
		return nil, false
	}
	out := make([]namedRef, len(es))
	for i, e := range es {
		name, ok1 := e.key.(string)
		t, ok2 := e.val.(*tensorRef)
		if !ok1 || !ok2 {
			return nil, false
		}
		out[i] = namedRef{name, t}
	}
	return out, true
}

// selectStateDict picks the state dict out of the unpickled object: the
// entry named key when useKey, else the object itself or its only entry
// that is a state dict.
func selectStateDict(top any, key string, useKey bool) ([]namedRef, error) {
	if useKey {
		return keyed(top, key)
	}
	if sd, ok := stateDict(top); ok {
		return sd, nil
	}
	es, ok := items(top)
	if !ok {
		return nil, fmt.Errorf("the saved object is a %s, not a dict of tensors", describe(top))
	}
	var found []string
	var sd []namedRef
	for _, e := range es {
		if s, ok := stateDict(e.val); ok {
			found = append(found, fmt.Sprint(e.key))
			sd = s
		}
	}
	switch len(found) {
	case 1:
		return sd, nil
	case 0:
		if len(es) == 0 {
			return nil, fmt.Errorf("the saved dict is empty")
		}
		return nil, fmt.Errorf("no dict of tensors found (top-level keys: %s)", keyList(es))
	}
	return nil, &AmbiguousError{Keys: found}
}

// AmbiguousError says that a file holds several dicts of tensors under
// these top-level keys, so Load cannot choose; LoadKey names one.
type AmbiguousError struct{ Keys []string }

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("several dicts of tensors (%s): choose one by key", strings.Join(e.Keys, ", "))
}

func keyed(top any, key string) ([]namedRef, error) {
	es, ok := items(top)
	if !ok {
		return nil, fmt.Errorf("the saved object is a %s, not a dict with key %q", describe(top), key)
	}
	for _, e := range es {
		if e.key == key {
			if sd, ok := stateDict(e.val); ok {
				return sd, nil
			}
			return nil, fmt.Errorf("entry %q is not a dict of tensors (it is a %s)", key, describe(e.val))
		}
	}
	return nil, fmt.Errorf("no key %q (top-level keys: %s)", key, keyList(es))
}

func keyList(es []entry) string {
	ks := make([]string, len(es))
	for i, e := range es {
		ks[i] = fmt.Sprintf("%q", fmt.Sprint(e.key))
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// describe names a Python value's type for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case *types.Dict, *types.OrderedDict:
		if es, _ := items(v); len(es) == 0 {
			return "empty dict"
		}
		return "dict holding non-tensor values or non-string keys"
	case *types.List:
		return "list"
	case *types.Tuple:
		return "tuple"
	case *tensorRef:
		return "tensor"
	case *opaqueObject:
		return v.String()
	case string:
		return "str"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case nil:
		return "None"
	}
	return fmt.Sprintf("%T", v)
}
