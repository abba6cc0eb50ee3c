package pth

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// checkPickle walks the pickle at the start of b the way gopickle's machine
// will run it, without building anything, and returns its length (through
// the STOP opcode). It refuses, with an error naming the byte offset, every
// input on which that machine would allocate what a length field declares
// rather than what the input holds, or would panic:
//
//   - an unknown opcode, or one gopickle cannot run (extensions, out-of-band
//     buffers);
//   - a length (of a string, bytes, long or frame) beyond the end of the
//     input, or negative;
//   - a LONG1/LONG4 of no bytes, and integers over maxLongBytes (decoding a
//     long is quadratic in its length);
//   - too few stack items or no MARK for an opcode, and DICT/SETITEMS with
//     an odd number of items;
//   - a bytes value as a dict key or set item (a Go []byte cannot be a map
//     key), and the global array._array_reconstructor, whose gopickle
//     implementation indexes its arguments unchecked.
//
// To know the last two it follows, for each stack and memo slot, whether
// the value is a str (and which), bytes, builtins.list or builtins.dict
// (which return their single argument unchanged), or a 1-tuple.
func checkPickle(b []byte) (int, error) {
	s := &pscan{b: b, memo: map[int]pval{}}
	n, err := s.run()
	if err != nil {
		return 0, fmt.Errorf("pickle byte %d: %w", s.op, err)
	}
	if s.frameEnd > n {
		return 0, fmt.Errorf("pickle byte %d: a frame runs %d bytes past the STOP opcode", s.frameAt, s.frameEnd-n)
	}
	return n, nil
}

// maxLongBytes bounds a pickled integer (2^8192); checkpoints hold none
// near it. maxLongDigits is the same bound for the decimal LONG opcode.
const (
	maxLongBytes  = 1024
	maxLongDigits = 2500
)

type pkind uint8

const (
	pkOther pkind = iota // any value that can be a dict key
	pkStr                // a str, held in s
	pkBytes              // bytes: a Go []byte, which cannot be a map key
	pkPass               // builtins.list or builtins.dict
	pkTuple              // a tuple; one is its element when it has exactly one
)

type pval struct {
	kind pkind
	s    string
	one  *pval
}

type pscan struct {
	b        []byte
	pos, op  int // next byte; start of the current opcode
	stack    []pval
	frames   [][]pval // stacks saved by MARK
	memo     map[int]pval
	frameEnd int // end of the last FRAME
	frameAt  int
}

// argWidth is the size of an opcode's fixed argument or length field
// (negative: a signed length).
var argWidth = [256]int{'J': 4, 'K': 1, 'M': 2, 'G': 8, 'T': -4, 'U': 1, 'X': 4, 0x8c: 1, 0x8d: 8,
	'B': 4, 'C': 1, 0x8e: 8, 0x96: 8, 0x8a: 1, 0x8b: -4}

var errShort = errors.New("the pickle ends early (truncated, or not a pickle)")

func (s *pscan) take(n int) ([]byte, error) {
	if n < 0 || n > len(s.b)-s.pos {
		return nil, errShort
	}
	p := s.b[s.pos : s.pos+n]
	s.pos += n
	return p, nil
}

// length reads a w-byte little-endian length (signed if w == -4) and checks
// that that many bytes follow.
func (s *pscan) length(w int, what string) (int, error) {
	var n uint64
	switch w {
	case 1:
		p, err := s.take(1)
		if err != nil {
			return 0, err
		}
		n = uint64(p[0])
	case 4, -4:
		p, err := s.take(4)
		if err != nil {
			return 0, err
		}
		v := binary.LittleEndian.Uint32(p)
		if w < 0 && int32(v) < 0 {
			return 0, fmt.Errorf("%s has a negative length %d", what, int32(v))
		}
		n = uint64(v)
	case 8:
		p, err := s.take(8)
		if err != nil {
			return 0, err
		}
		n = binary.LittleEndian.Uint64(p)
	}
	if rest := uint64(len(s.b) - s.pos); n > rest {
		return 0, fmt.Errorf("%s declares %d bytes but only %d remain", what, n, rest)
	}
	return int(n), nil
}

// line returns a newline-terminated argument without its newline.
func (s *pscan) line() ([]byte, error) {
	i := bytes.IndexByte(s.b[s.pos:], '\n')
	if i < 0 {
		return nil, errShort
	}
	l := s.b[s.pos : s.pos+i]
	s.pos += i + 1
	return l, nil
}

// str is a str value; only short ones (as module and class names are) keep
// their text, which is all STACK_GLOBAL needs.
func str(p []byte) pval {
	if len(p) > 64 {
		return pval{kind: pkStr, s: "\x00long"}
	}
	return pval{kind: pkStr, s: string(p)}
}

func (s *pscan) push(v pval) { s.stack = append(s.stack, v) }

func (s *pscan) pop() (pval, error) {
	if len(s.stack) == 0 {
		return pval{}, fmt.Errorf("opcode %s with an empty stack", opName(s.b[s.op]))
	}
	v := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	return v, nil
}

func (s *pscan) top() (pval, error) {
	v, err := s.pop()
	if err == nil {
		s.push(v)
	}
	return v, err
}

func (s *pscan) popMark() ([]pval, error) {
	if len(s.frames) == 0 {
		return nil, fmt.Errorf("opcode %s without a MARK", opName(s.b[s.op]))
	}
	items := s.stack
	s.stack = s.frames[len(s.frames)-1]
	s.frames = s.frames[:len(s.frames)-1]
	return items, nil
}

func (s *pscan) popN(n int) ([]pval, error) {
	if len(s.stack) < n {
		return nil, fmt.Errorf("opcode %s needs %d stack items, has %d", opName(s.b[s.op]), n, len(s.stack))
	}
	items := append([]pval(nil), s.stack[len(s.stack)-n:]...)
	s.stack = s.stack[:len(s.stack)-n]
	return items, nil
}

func tuple(items []pval) pval {
	if len(items) == 1 {
		one := items[0]
		return pval{kind: pkTuple, one: &one}
	}
	return pval{kind: pkTuple}
}

// called is what calling class with args gives: builtins.list and
// builtins.dict return a single argument itself, anything else a new
// object (or an error).
func called(class pval, args []pval) pval {
	if class.kind == pkPass && len(args) == 1 {
		return args[0]
	}
	return pval{}
}

func global(module, name string) (pval, error) {
	switch module + "." + name {
	case "builtins.list", "builtins.dict":
		return pval{kind: pkPass}, nil
	case "array._array_reconstructor":
		return pval{}, fmt.Errorf("Python array objects (array._array_reconstructor) are not supported")
	}
	return pval{}, nil
}

// keys checks that the values at even (dict) or all (set) positions can be
// map keys.
func keys(items []pval, step int) error {
	for i := 0; i < len(items); i += step {
		if items[i].kind == pkBytes {
			return fmt.Errorf("a bytes value as a dict key or set item is not supported")
		}
	}
	return nil
}

func (s *pscan) memoIndex(w int) (int, error) {
	if w == 0 {
		l, err := s.line()
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(string(l))
	}
	p, err := s.take(w)
	if err != nil {
		return 0, err
	}
	if w == 1 {
		return int(p[0]), nil
	}
	return int(binary.LittleEndian.Uint32(p)), nil
}

func (s *pscan) put(w int) error {
	i, err := s.memoIndex(w)
	if err != nil {
		return err
	}
	if i < 0 {
		return fmt.Errorf("negative memo index %d", i)
	}
	v, err := s.top()
	s.memo[i] = v
	return err
}

func (s *pscan) get(w int) error {
	i, err := s.memoIndex(w)
	if err != nil {
		return err
	}
	s.push(s.memo[i]) // an unset index pushes None, as gopickle does
	return nil
}

func (s *pscan) run() (int, error) {
	for {
		s.op = s.pos
		if s.pos >= len(s.b) {
			return 0, errShort
		}
		op := s.b[s.pos]
		s.pos++
		if err := s.step(op); err != nil {
			return 0, err
		}
		if op == '.' {
			return s.pos, nil
		}
	}
}

func (s *pscan) step(op byte) error {
	var err error
	switch op {
	case '(': // MARK
		s.frames = append(s.frames, s.stack)
		s.stack = nil
	case '.': // STOP
		_, err = s.pop()
	case '0': // POP: gopickle pops a MARK when the stack above it is empty
		if len(s.stack) == 0 {
			_, err = s.popMark()
		} else {
			_, err = s.pop()
		}
	case '1': // POP_MARK
		_, err = s.popMark()
	case '2': // DUP
		var v pval
		if v, err = s.top(); err == nil {
			s.push(v)
		}
	case 'F', 'I', 'P': // FLOAT, INT, PERSID
		if _, err = s.line(); err == nil {
			s.push(pval{})
		}
	case 'L': // LONG
		var l []byte
		if l, err = s.line(); err == nil {
			if len(l) > maxLongDigits {
				return fmt.Errorf("an integer of %d digits is too large", len(l))
			}
			s.push(pval{})
		}
	case 'J', 'K', 'M', 'G': // BININT, BININT1, BININT2, BINFLOAT
		if _, err = s.take(argWidth[op]); err == nil {
			s.push(pval{})
		}
	case 'N', 0x88, 0x89, '}', ']', 0x8f: // NONE, NEWTRUE, NEWFALSE, EMPTY_DICT, EMPTY_LIST, EMPTY_SET
		s.push(pval{})
	case ')': // EMPTY_TUPLE
		s.push(pval{kind: pkTuple})
	case 'Q': // BINPERSID
		if _, err = s.pop(); err == nil {
			s.push(pval{})
		}
	case 'R': // REDUCE
		var v []pval
		if v, err = s.popN(2); err == nil {
			args := v[1]
			if args.kind == pkTuple && args.one != nil {
				s.push(called(v[0], []pval{*args.one}))
			} else {
				s.push(pval{})
			}
		}
	case 'S', 'V': // STRING, UNICODE
		var l []byte
		if l, err = s.line(); err == nil {
			if op == 'S' && len(l) >= 2 {
				l = l[1 : len(l)-1]
			}
			s.push(str(l))
		}
	case 'T', 'U', 'X', 0x8c, 0x8d: // BINSTRING, SHORT_BINSTRING, BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
		var n int
		if n, err = s.length(argWidth[op], "a string"); err == nil {
			p, _ := s.take(n)
			s.push(str(p))
		}
	case 'B', 'C', 0x8e, 0x96: // BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8
		var n int
		if n, err = s.length(argWidth[op], "a bytes value"); err == nil {
			s.pos += n
			if op == 0x96 {
				s.push(pval{}) // a *types.ByteArray
			} else {
				s.push(pval{kind: pkBytes})
			}
		}
	case 0x8a, 0x8b: // LONG1, LONG4
		var n int
		if n, err = s.length(argWidth[op], "an integer"); err == nil {
			switch {
			case n == 0:
				return fmt.Errorf("an integer of zero bytes (a Python 2 long 0) is not supported")
			case n > maxLongBytes:
				return fmt.Errorf("an integer of %d bytes is too large", n)
			}
			s.pos += n
			s.push(pval{})
		}
	case 'a': // APPEND
		var v []pval
		if v, err = s.popN(2); err == nil {
			s.push(v[0])
		}
	case 'e': // APPENDS
		if _, err = s.popMark(); err == nil {
			var l pval
			if l, err = s.pop(); err == nil {
				s.push(l)
			}
		}
	case 'b': // BUILD
		if _, err = s.pop(); err == nil {
			_, err = s.top()
		}
	case 'c', 'i': // GLOBAL, INST
		var module, name []byte
		if module, err = s.line(); err != nil {
			return err
		}
		if name, err = s.line(); err != nil {
			return err
		}
		var class pval
		if class, err = global(string(module), string(name)); err != nil {
			return err
		}
		if op == 'c' {
			s.push(class)
			return nil
		}
		var args []pval
		if args, err = s.popMark(); err == nil {
			s.push(called(class, args))
		}
	case 0x93: // STACK_GLOBAL
		var v []pval
		if v, err = s.popN(2); err != nil {
			return err
		}
		if v[0].kind != pkStr || v[1].kind != pkStr {
			return fmt.Errorf("STACK_GLOBAL needs two strs")
		}
		var class pval
		if class, err = global(v[0].s, v[1].s); err == nil {
			s.push(class)
		}
	case 'o': // OBJ
		var items []pval
		if items, err = s.popMark(); err == nil {
			if len(items) == 0 {
				return fmt.Errorf("OBJ without a class")
			}
			s.push(called(items[0], items[1:]))
		}
	case 'd', 'u': // DICT, SETITEMS
		var items []pval
		if items, err = s.popMark(); err != nil {
			return err
		}
		if len(items)%2 != 0 {
			return fmt.Errorf("opcode %s with an odd number (%d) of keys and values", opName(op), len(items))
		}
		if op == 'd' { // a *types.Dict, whose keys are not hashed
			s.push(pval{})
			return nil
		}
		if err = keys(items, 2); err == nil {
			var d pval
			if d, err = s.pop(); err == nil {
				s.push(d)
			}
		}
	case 's': // SETITEM
		var v []pval
		if v, err = s.popN(2); err == nil {
			if err = keys(v, 2); err == nil {
				_, err = s.top()
			}
		}
	case 0x90: // ADDITEMS
		var items []pval
		if items, err = s.popMark(); err == nil {
			if err = keys(items, 1); err == nil {
				var set pval
				if set, err = s.pop(); err == nil {
					s.push(set)
				}
			}
		}
	case 0x91: // FROZENSET
		var items []pval
		if items, err = s.popMark(); err == nil {
			if err = keys(items, 1); err == nil {
				s.push(pval{})
			}
		}
	case 'l', 't': // LIST, TUPLE
		var items []pval
		if items, err = s.popMark(); err == nil {
			if op == 't' {
				s.push(tuple(items))
			} else {
				s.push(pval{})
			}
		}
	case 0x85, 0x86, 0x87: // TUPLE1, TUPLE2, TUPLE3
		var items []pval
		if items, err = s.popN(int(op-0x85) + 1); err == nil {
			s.push(tuple(items))
		}
	case 0x81: // NEWOBJ
		if _, err = s.popN(2); err == nil {
			s.push(pval{})
		}
	case 0x92: // NEWOBJ_EX
		if _, err = s.popN(3); err == nil {
			s.push(pval{})
		}
	case 'g': // GET
		err = s.get(0)
	case 'h': // BINGET
		err = s.get(1)
	case 'j': // LONG_BINGET
		err = s.get(4)
	case 'p': // PUT
		err = s.put(0)
	case 'q': // BINPUT
		err = s.put(1)
	case 'r': // LONG_BINPUT
		err = s.put(4)
	case 0x94: // MEMOIZE
		var v pval
		if v, err = s.top(); err == nil {
			s.memo[len(s.memo)] = v
		}
	case 0x80: // PROTO
		var p []byte
		if p, err = s.take(1); err == nil && p[0] > 5 {
			return fmt.Errorf("pickle protocol %d is not supported", p[0])
		}
	case 0x95: // FRAME
		var n int
		if n, err = s.length(8, "a frame"); err == nil {
			s.frameAt, s.frameEnd = s.op, s.pos+n
		}
	case 0x98: // READONLY_BUFFER: a no-op in gopickle
	case 0x82, 0x83, 0x84:
		return fmt.Errorf("pickle extension codes (opcode %s) are not supported", opName(op))
	case 0x97:
		return fmt.Errorf("out-of-band pickle buffers are not supported")
	default:
		return fmt.Errorf("unknown pickle opcode %s", opName(op))
	}
	return err
}

func opName(op byte) string {
	if op >= ' ' && op < 0x7f {
		return fmt.Sprintf("%q", rune(op))
	}
	return fmt.Sprintf("0x%02x", op)
}
