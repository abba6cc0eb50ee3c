package metrics

// chunks is an append-only sequence kept in blocks that never move, so
// adding an image costs no re-copying of everything stored before it (a
// growing slice copies each element about four times at Go's 1.25× growth
// for large slices). Blocks double from minBlock up to maxBlock elements;
// the radix sort reads them in place, one block per parallel chunk.
type chunks[E any] struct {
	blocks [][]E
	n      int
}

const (
	minBlock = 1 << 12
	maxBlock = 1 << 20
)

// tail returns the free capacity at the end, adding a block if there is
// none. Fill a prefix of it and commit that many elements.
func (c *chunks[E]) tail() []E {
	size := minBlock
	if nb := len(c.blocks); nb > 0 {
		last := c.blocks[nb-1]
		if len(last) < cap(last) {
			return last[len(last):cap(last)]
		}
		size = min(maxBlock, max(minBlock, 2*cap(last)))
	}
	b := make([]E, 0, size)
	c.blocks = append(c.blocks, b)
	return b[:size]
}

func (c *chunks[E]) commit(k int) {
	last := &c.blocks[len(c.blocks)-1]
	*last = (*last)[:len(*last)+k]
	c.n += k
}

// truncate drops elements from the end until n remain.
func (c *chunks[E]) truncate(n int) {
	for c.n > n {
		nb := len(c.blocks)
		last := c.blocks[nb-1]
		drop := min(len(last), c.n-n)
		last = last[:len(last)-drop]
		c.n -= drop
		if len(last) == 0 {
			c.blocks = c.blocks[:nb-1]
		} else {
			c.blocks[nb-1] = last
		}
	}
}

// set replaces the content by s (a full slice: later appends start a new
// block rather than writing past len(s)).
func (c *chunks[E]) set(s []E) {
	c.blocks = [][]E{s[:len(s):len(s)]}
	c.n = len(s)
}
