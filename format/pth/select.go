package pth

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
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
	// The same dict can sit under many keys (memo references); judging it
	// once keeps this linear in the pickle's size.
	type judged struct {
		sd []namedRef
		ok bool
	}
	seen := map[any]judged{}
	for _, e := range es {
		var j judged
		switch d := e.val.(type) {
		case *types.Dict, *types.OrderedDict:
			var done bool
			if j, done = seen[d]; !done {
				j.sd, j.ok = stateDict(d)
				seen[d] = j
			}
		}
		if j.ok {
			found = append(found, keyText(e.key))
			sd = j.sd
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
	var keys []string
	for _, k := range e.Keys[:min(len(e.Keys), 10)] {
		if q := strconv.Quote(k); q[1:len(q)-1] != k || len(k) > 80 {
			k = brief(k) // quoted, one line
		}
		keys = append(keys, k)
	}
	more := ""
	if len(e.Keys) > 10 {
		more = fmt.Sprintf(" and %d more", len(e.Keys)-10)
	}
	return fmt.Sprintf("several dicts of tensors (%s%s): choose one by key", strings.Join(keys, ", "), more)
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

// keyList lists a dict's keys for a message: sorted, at most 20.
func keyList(es []entry) string {
	ks := make([]string, len(es))
	for i, e := range es {
		ks[i] = strconv.Quote(keyText(e.key))
	}
	sort.Strings(ks)
	if len(ks) > 20 {
		return strings.Join(ks[:20], ", ") + fmt.Sprintf(" and %d more", len(ks)-20)
	}
	return strings.Join(ks, ", ")
}

// keyText is a dict key as text: a str itself, anything else briefly.
func keyText(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	return brief(k)
}

// brief renders a pickled value for an error message on one line of at
// most about 100 bytes, however large or self-containing the value is
// (fmt's %v recurses through a list holding itself until the stack
// overflows).
func brief(v any) string {
	var b strings.Builder
	writeBrief(&b, v, 2)
	s := b.String()
	if len(s) > 100 {
		s = strings.ToValidUTF8(s[:97], "") + "..."
	}
	return s
}

func writeBrief(b *strings.Builder, v any, depth int) {
	seq := func(open, close string, vs []any) {
		b.WriteString(open)
		for i, x := range vs {
			if i > 0 {
				b.WriteString(", ")
			}
			if depth == 0 {
				b.WriteString("…")
				break
			}
			if i == 4 {
				fmt.Fprintf(b, "… (%d items)", len(vs))
				break
			}
			writeBrief(b, x, depth-1)
		}
		b.WriteString(close)
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		b.WriteString(map[bool]string{true: "True", false: "False"}[v])
	case int:
		b.WriteString(strconv.Itoa(v))
	case *big.Int:
		if v.BitLen() > 64 {
			fmt.Fprintf(b, "<int of %d bits>", v.BitLen())
		} else {
			b.WriteString(v.String())
		}
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case string:
		if len(v) > 40 {
			b.WriteString(strconv.Quote(strings.ToValidUTF8(v[:40], "")) + "…")
		} else {
			b.WriteString(strconv.Quote(v))
		}
	case []byte:
		fmt.Fprintf(b, "<%d bytes>", len(v))
	case *types.Tuple:
		seq("(", ")", *v)
	case *types.List:
		seq("[", "]", *v)
	case *types.Dict, *types.OrderedDict:
		es, _ := items(v)
		fmt.Fprintf(b, "<dict of %d entries>", len(es))
	case *storage:
		fmt.Fprintf(b, "<storage %s>", strconv.Quote(v.key))
	case *storageClass:
		b.WriteString(v.name)
	case *tensorRef:
		b.WriteString("<tensor>")
	case *callable:
		b.WriteString(v.name)
	case *opaque:
		b.WriteString(v.name)
	case *opaqueObject:
		b.WriteString(v.String())
	default:
		fmt.Fprintf(b, "<%T>", v)
	}
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
